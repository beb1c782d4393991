// Runs tests as sandboxed report derivations in one nix invocation (Nix schedules them in
// parallel), then reads what each one produced. A report records failure instead of failing,
// so a nix error here means a test could not run at all (an error, not a failure).
import { existsSync } from "node:fs";
import type { NixDriver } from "../nix/driver.js";
import { derivationNames, drvName, flakeAttrs } from "../nix/flake-attrs.js";
import { rootGeneration, rootedStorePaths, withTemporaryRoots } from "../roots/registry.js";
import { readDurations, writeDurations } from "./durations.js";
import { readReport, type TestResult } from "./results.js";

export interface TestRunOptions {
  projectDir: string;
  system: string;
  names: string[];
  /** Run again tests whose results are cached, keeping the old result until the new one is in. */
  rerun: boolean;
}

export function runTests(driver: NixDriver, options: TestRunOptions): Promise<TestResult[]> {
  return withTemporaryRoots((outLink) => runAndRoot(driver, options, outLink));
}

async function runAndRoot(driver: NixDriver, options: TestRunOptions, outLink: string): Promise<TestResult[]> {
  const set = flakeAttrs.testReports(options.system);
  const attrs = options.names.map((n) => flakeAttrs.testReport(options.system, n));
  const outcome = await driver.buildAll(attrs, { keepGoing: true, outLink, rooted: rootedStorePaths(options.projectDir) });

  let outPaths: (string | undefined)[];
  if (!outcome.error) {
    // `nix build --json` does not keep the installables' order: match by derivation name.
    const byName = new Map(outcome.built.map((b) => [drvName(b.drvPath), b.outputs.out]));
    outPaths = options.names.map((n) => byName.get(derivationNames.testReport(n)));
  } else {
    // Nix printed no results: find which reports exist, root those, and report the rest as errors.
    driver.showFailedLogs(outcome);
    // When the reports cannot even be evaluated, none exists: every test is an error.
    outPaths = await driver.existingOutPaths(set, options.names).catch(() => options.names.map(() => undefined));
  }
  await rootGeneration(
    driver,
    options.projectDir,
    "tests",
    "run",
    outPaths.filter((p): p is string => p !== undefined),
  );

  const ranMs = new Map(outcome.ran.map((b) => [drvName(b.drvPath), b.ms]));
  const durations = readDurations(options.projectDir);
  let results = options.names.map((name, i): TestResult => {
    const outPath = outPaths[i];
    if (!outPath)
      return { name, status: "error", cached: false, reports: [], error: errorFor(name, outcome.failed, outcome.error?.message) };
    const ms = ranMs.get(derivationNames.testReport(name));
    return { ...readReport(name, outPath), cached: ms === undefined, durationMs: ms ?? durations[outPath] };
  });

  if (options.rerun) results = await rerunCached(driver, options.system, results);
  const kept: Record<string, number> = {};
  for (const r of results) if (r.outPath && r.durationMs !== undefined) kept[r.outPath] = r.durationMs;
  await writeDurations(options.projectDir, kept);
  return results;
}

// `nix build --rebuild --keep-failed` runs the builders again; when the new output differs, Nix
// keeps it beside the old one as <out>.check and the old result stays in place.
async function rerunCached(driver: NixDriver, system: string, results: TestResult[]): Promise<TestResult[]> {
  const cached = results.filter((r) => r.cached && r.outPath);
  if (cached.length === 0) return results;
  const outcome = await driver.buildAll(
    cached.map((r) => flakeAttrs.testReport(system, r.name)),
    { rebuild: true, keepGoing: true },
  );
  const ranMs = new Map(outcome.ran.map((b) => [drvName(b.drvPath), b.ms]));
  const differing = new Set(outcome.differing.map(drvName));
  return results.map((r) => {
    if (!r.cached || !r.outPath) return r;
    const ms = ranMs.get(derivationNames.testReport(r.name));
    const check = `${r.outPath}.check`;
    if (differing.has(derivationNames.testReport(r.name)) && existsSync(check)) {
      return { ...readReport(r.name, check), cached: false, durationMs: ms, differs: true };
    }
    return { ...r, cached: false, durationMs: ms ?? r.durationMs };
  });
}

function errorFor(name: string, failed: string[], nixError?: string): string {
  const names = failed.map(drvName).filter((n) => n !== derivationNames.testReport(name));
  if (names.length) return `could not run: ${names.join(", ")} failed to build`;
  return `could not run: ${nixError?.replace(/^nix build failed: /, "") || "see the errors above"}`;
}
