// `go test -json` (test2json's events, one JSON object per line) as JUnit XML: one testsuite per
// package, one testcase per test and subtest with its time, its output as the failure's text, and
// a package that failed without a failing test (it did not build) as a failed testcase of its own.
import { attrs, escapeText } from "./junit.js";

interface Event {
  Action?: string;
  Package?: string;
  Test?: string;
  Elapsed?: number;
  Output?: string;
}

interface Case {
  name: string;
  outcome: "passed" | "failed" | "skipped" | "running";
  seconds: number;
  output: string;
}

/** Whether `text` is test2json's output: its first line an event with an Action. */
export function isGoTestJson(text: string): boolean {
  const first = text.split("\n", 1)[0]!.trim();
  try {
    const event = JSON.parse(first) as Event;
    return typeof event === "object" && event !== null && typeof event.Action === "string";
  } catch {
    return false;
  }
}

export function goTestJsonToJUnit(text: string): string {
  const packages = new Map<string, { cases: Map<string, Case>; outcome: string; seconds: number; output: string }>();
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    let event: Event;
    try {
      event = JSON.parse(line) as Event;
    } catch {
      continue;
    }
    const name = event.Package ?? "";
    const pkg = packages.get(name) ?? { cases: new Map(), outcome: "running", seconds: 0, output: "" };
    packages.set(name, pkg);
    if (!event.Test) {
      if (event.Output) pkg.output += event.Output;
      if (event.Action === "pass" || event.Action === "fail" || event.Action === "skip") {
        pkg.outcome = event.Action;
        pkg.seconds = event.Elapsed ?? 0;
      }
      continue;
    }
    const testCase = pkg.cases.get(event.Test) ?? { name: event.Test, outcome: "running", seconds: 0, output: "" };
    pkg.cases.set(event.Test, testCase);
    if (event.Action === "output" && event.Output) testCase.output += event.Output;
    if (event.Action === "pass") testCase.outcome = "passed";
    if (event.Action === "fail") testCase.outcome = "failed";
    if (event.Action === "skip") testCase.outcome = "skipped";
    if (event.Elapsed !== undefined) testCase.seconds = event.Elapsed;
  }
  const suites = [...packages].map(([name, pkg]) => {
    const cases = [...pkg.cases.values()];
    // A test still running when the stream ended (a panic, a timeout) failed.
    for (const c of cases) if (c.outcome === "running") c.outcome = "failed";
    if (pkg.outcome === "fail" && !cases.some((c) => c.outcome === "failed"))
      cases.push({ name: "(package)", outcome: "failed", seconds: pkg.seconds, output: pkg.output });
    const count = (outcome: Case["outcome"]) => String(cases.filter((c) => c.outcome === outcome).length);
    const body = cases
      .map((c) => {
        const head = `    <testcase${attrs({ classname: name, name: c.name, time: c.seconds.toFixed(3) })}`;
        if (c.outcome === "failed")
          return `${head}>\n      <failure${attrs({ message: `${c.name} failed`, type: "failure" })}>${escapeText(c.output)}</failure>\n    </testcase>\n`;
        if (c.outcome === "skipped") return `${head}>\n      <skipped/>\n    </testcase>\n`;
        return `${head}/>\n`;
      })
      .join("");
    return `  <testsuite${attrs({ name, tests: String(cases.length), failures: count("failed"), errors: "0", skipped: count("skipped"), time: pkg.seconds.toFixed(3) })}>\n${body}  </testsuite>\n`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join("")}</testsuites>\n`;
}
