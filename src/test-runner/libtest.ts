// `cargo test`'s output (libtest's stable text format, with cargo's lines naming each test binary)
// as JUnit: one testsuite per binary ("greeter unittests src/lib.rs", "greeter doc-tests"), one
// testcase per `test NAME ... ok|FAILED|ignored` line, a failure's captured output from its
// "---- NAME stdout ----" section, and a binary that stopped before its summary as a failed case.
import { runnerJUnit, type RunnerCase, type RunnerSuite } from "./runner-junit.js";

/** Whether `text` is the output of libtest: a run announced and a summary. */
export const isLibtestOutput = (text: string): boolean => /^running \d+ tests?\r?$/m.test(text) && /^test result: /m.test(text);

// cargo: "     Running unittests src/lib.rs (target/debug/deps/greeter-0123abcd)", "   Doc-tests greeter"
const RUNNING = /^\s+Running (?:(.+?) \()?([^()\s]+?)\)?\s*$/;
const DOC_TESTS = /^\s+Doc-tests (\S+)\s*$/;
const CASE = /^test (.+?) \.\.\. (ok|FAILED|ignored(?:, .*)?)\s*$/;
const RESULT = /^test result: (?:ok|FAILED)\..*?(?:finished in ([\d.]+)s)?\s*$/;
const OUTPUT_HEADER = /^---- (.+?) std(?:out|err) ----\s*$/;

export function libtestToJUnit(text: string): string {
  const suites: RunnerSuite[] = [];
  let next = "tests";
  let open: (RunnerSuite & { outputs: Map<string, string> }) | undefined;
  let capturing: string | undefined;
  const close = (finished: boolean) => {
    if (!open) return;
    for (const c of open.cases) if (c.outcome === "failed") c.output = open.outputs.get(c.name) ?? c.output;
    // (the binary crashed or was stopped before its summary)
    if (!finished)
      open.cases.push({ name: "(binary)", outcome: "failed", seconds: 0, output: "the test binary stopped before it reported its result" });
    suites.push({ name: open.name, seconds: open.seconds, cases: open.cases });
    open = undefined;
    capturing = undefined;
  };
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    const running = RUNNING.exec(line);
    const doc = DOC_TESTS.exec(line);
    if (running || doc) {
      close(false);
      const binary = running
        ? running[2]!
            .split("/")
            .at(-1)!
            .replace(/-[0-9a-f]{16}$/, "")
        : doc![1]!;
      next = running ? `${binary} ${running[1] ?? "tests"}` : `${binary} doc-tests`;
      continue;
    }
    if (/^running \d+ tests?$/.test(line)) {
      close(false);
      open = { name: next, seconds: 0, cases: [], outputs: new Map() };
      continue;
    }
    if (!open) continue;
    const result = RESULT.exec(line);
    if (result) {
      open.seconds = Number(result[1] ?? 0);
      close(true);
      continue;
    }
    const header = OUTPUT_HEADER.exec(line);
    if (header) {
      capturing = header[1]!;
      open.outputs.set(capturing, open.outputs.get(capturing) ?? "");
      continue;
    }
    if (capturing !== undefined) {
      if (/^(failures|successes):$/.test(line)) capturing = undefined;
      else open.outputs.set(capturing, open.outputs.get(capturing)! + line + "\n");
      continue;
    }
    const testCase = CASE.exec(line);
    if (testCase) {
      const outcome: RunnerCase["outcome"] = testCase[2] === "ok" ? "passed" : testCase[2] === "FAILED" ? "failed" : "skipped";
      open.cases.push({ name: testCase[1]!, outcome, seconds: 0, output: "" });
    }
  }
  close(false);
  return runnerJUnit(suites);
}
