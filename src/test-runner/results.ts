// What a test run produced, read from each test's report output in the store.
import { goTestJsonToJUnit, isGoTestJson } from "./go-test-json.js";
import { isLibtestOutput, libtestToJUnit } from "./libtest.js";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { readTextInside } from "../util/bounded-read.js";
import { UserError } from "../util/errors.js";

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
  const exitCode = Number((readTextInside(outPath, path.join(outPath, "exit-code"), "config") ?? "").trim());
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

export const logOf = (result: TestResult): string => {
  if (!result.outPath) return "";
  try {
    return readTextInside(result.outPath, path.join(result.outPath, "log"), "report") ?? "";
  } catch (error) {
    return `(${(error as Error).message})`;
  }
};

/**
 * The XML reports a test wrote that look like JUnit (they mention a testsuite), and its `go test
 * -json` and `cargo test` outputs as JUnit. A test's script
 * wrote them, so one that is a link out of its reports, not a file, or too large is left out, with
 * a warning naming it.
 */
export function junitFiles(result: TestResult, warn: (message: string) => void = () => {}): { file: string; xml: string }[] {
  return result.reports
    .filter((r) => /\.(xml|json|txt|log)$/.test(r))
    .flatMap((r) => {
      const file = path.join(result.reportsDir!, r);
      try {
        const text = readTextInside(result.reportsDir!, file, "report", file);
        if (text === undefined) return [];
        // `go test -json > $NIXKIT_REPORTS/go-test.json`: made JUnit here.
        if (r.endsWith(".json")) return isGoTestJson(text) ? [{ file, xml: goTestJsonToJUnit(text) }] : [];
        // `cargo test 2>&1 | tee $NIXKIT_REPORTS/cargo-test.txt`: likewise.
        if (/\.(txt|log)$/.test(r)) return isLibtestOutput(text) ? [{ file, xml: libtestToJUnit(text) }] : [];
        return [{ file, xml: text }];
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        warn(`test ${result.name}: ${error.message}; it is left out of the merged JUnit report`);
        return [];
      }
    })
    .filter(({ xml }) => /<testsuites?[\s>]/.test(xml));
}

// Links are listed, never followed: a report directory may link to / or to itself.
function listFiles(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) =>
      entry.isDirectory() ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
    );
}
