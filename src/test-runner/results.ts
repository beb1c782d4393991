// What a test run produced, read from each test's report output in the store.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export type TestStatus = "pass" | "fail" | "error";

export interface TestResult {
  name: string;
  status: TestStatus;
  /** True when Nix had the result already: the test did not run. */
  cached: boolean;
  /** How long the test ran (for a cached result: when it last ran here, if known). */
  durationMs?: number;
  exitCode?: number;
  /** The report output (or its `.check` copy after --rerun found a different result). */
  outPath?: string;
  /** Files the test wrote into $NIXKIT_REPORTS, relative to `reportsDir`. */
  reports: string[];
  reportsDir?: string;
  /** --rerun only: the new run's output differs from the previous one (a flaky or impure test). */
  differs?: boolean;
  /** Why an errored test could not run. */
  error?: string;
}

/** Reads a report output: the exit code, the files in reports/, and where the log is. */
export function readReport(name: string, outPath: string): Omit<TestResult, "cached" | "durationMs" | "differs"> {
  const exitCode = Number(readFileSync(path.join(outPath, "exit-code"), "utf8").trim());
  const reportsDir = path.join(outPath, "reports");
  return {
    name,
    status: existsSync(path.join(outPath, "nix-support", "failed")) ? "fail" : "pass",
    exitCode,
    outPath,
    reportsDir,
    reports: listFiles(reportsDir),
  };
}

export const logOf = (result: TestResult): string =>
  result.outPath && existsSync(path.join(result.outPath, "log")) ? readFileSync(path.join(result.outPath, "log"), "utf8") : "";

/** The XML reports a test wrote that look like JUnit (they mention a testsuite). */
export function junitFiles(result: TestResult): { file: string; xml: string }[] {
  return result.reports
    .filter((r) => r.endsWith(".xml"))
    .map((r) => ({ file: path.join(result.reportsDir!, r), xml: readFileSync(path.join(result.reportsDir!, r), "utf8") }))
    .filter(({ xml }) => /<testsuites?[\s>]/.test(xml));
}

function listFiles(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) =>
      statSync(path.join(dir, name)).isDirectory() ? listFiles(path.join(dir, name), `${prefix}${name}/`) : [`${prefix}${name}`],
    );
}
