// `go test -json` (test2json's events, one JSON object per line) as JUnit XML: one testsuite per
// package, one testcase per test and subtest with its time, its output as the failure's text, and
// a package that failed without a failing test (it did not build) as a failed testcase of its own.
import { runnerJUnit, type RunnerCase } from "./runner-junit.js";

interface Event {
  Action?: string;
  Package?: string;
  Test?: string;
  Elapsed?: number;
  Output?: string;
}

type Case = Omit<RunnerCase, "outcome"> & { outcome: RunnerCase["outcome"] | "running" };

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
    const finished = cases as RunnerCase[];
    if (pkg.outcome === "fail" && !cases.some((c) => c.outcome === "failed"))
      finished.push({ name: "(package)", outcome: "failed", seconds: pkg.seconds, output: pkg.output });
    return { name, seconds: pkg.seconds, cases: finished };
  });
  return runnerJUnit(suites);
}
