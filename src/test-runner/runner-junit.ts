// JUnit XML for a test runner's own output that nixkit reads (go test -json, libtest's text): one
// testsuite per package or test binary, one testcase per test, its output as a failure's text.
import { attrs, escapeText } from "./junit.js";

export interface RunnerCase {
  name: string;
  outcome: "passed" | "failed" | "skipped";
  seconds: number;
  output: string;
}

export interface RunnerSuite {
  name: string;
  seconds: number;
  cases: RunnerCase[];
}

export function runnerJUnit(suites: RunnerSuite[]): string {
  const rendered = suites.map(({ name, seconds, cases }) => {
    const count = (outcome: RunnerCase["outcome"]) => String(cases.filter((c) => c.outcome === outcome).length);
    const body = cases
      .map((c) => {
        const head = `    <testcase${attrs({ classname: name, name: c.name, time: c.seconds.toFixed(3) })}`;
        if (c.outcome === "failed")
          return `${head}>\n      <failure${attrs({ message: `${c.name} failed`, type: "failure" })}>${escapeText(c.output)}</failure>\n    </testcase>\n`;
        if (c.outcome === "skipped") return `${head}>\n      <skipped/>\n    </testcase>\n`;
        return `${head}/>\n`;
      })
      .join("");
    return `  <testsuite${attrs({ name, tests: String(cases.length), failures: count("failed"), errors: "0", skipped: count("skipped"), time: seconds.toFixed(3) })}>\n${body}  </testsuite>\n`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${rendered.join("")}</testsuites>\n`;
}
