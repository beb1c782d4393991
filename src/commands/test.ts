// nixkit test: run the manifest's tests in the sandbox, show a summary, the full log of each
// failing test, and merge their JUnit reports.
import type { Invocation } from "../cli.js";
import { junitSource, mergeJUnit } from "../test/junit.js";
import { logOf, type TestResult } from "../test/results.js";
import { runTests } from "../test/run.js";
import { summaryTable, tally } from "../test/summary.js";
import { writeFileAtomic } from "../util/atomic.js";
import { WorkFailed } from "../util/errors.js";
import { currentSystem } from "../util/system.js";
import path from "node:path";
import type { CommandContext } from "./context.js";
import { prepareProject, selectNames, withManifestErrors } from "./project.js";

export async function run(ctx: CommandContext, inv: Invocation): Promise<void> {
  const loaded = await prepareProject(ctx);
  const names = selectNames("tests", Object.keys(loaded.manifest.tests), inv.args);
  if (names.length === 0) return ctx.logger.result("no tests: nixkit.yaml declares none");

  const results = await withManifestErrors(loaded, () =>
    runTests(ctx.driver(), {
      projectDir: ctx.projectDir,
      system: currentSystem(),
      names,
      rerun: Boolean(inv.options.rerun),
      maxJobs: String(inv.options.jobs),
    }),
  );

  for (const failed of results.filter((r) => r.status === "fail")) {
    ctx.logger.error(`test ${failed.name} failed (exit ${failed.exitCode}); its full log:`);
    for (const line of logOf(failed).trimEnd().split("\n")) ctx.logger.info(`  ${line}`);
  }
  if (inv.options.junit) {
    const file = path.resolve(String(inv.options.junit));
    await writeFileAtomic(file, mergeJUnit(results.map(junitSource)));
    ctx.logger.info(`merged JUnit report: ${file}`);
  }
  if (ctx.logger.json) ctx.logger.data({ tests: results.map(jsonResult), summary: tally(results) });
  else ctx.logger.result(`${summaryTable(results)}\n${tally(results)}`);

  const bad = results.filter((r) => r.status !== "pass");
  if (bad.length > 0) throw new WorkFailed(`${bad.length} of ${results.length} test(s) did not pass: ${bad.map((r) => r.name).join(", ")}`);
}

function jsonResult(r: TestResult) {
  return {
    name: r.name,
    status: r.status,
    cached: r.cached,
    durationMs: r.durationMs === undefined ? null : Math.round(r.durationMs),
    exitCode: r.exitCode ?? null,
    differs: r.differs ?? false,
    outPath: r.outPath ?? null,
    reports: r.reports.map((f) => path.join(r.reportsDir!, f)),
    error: r.error ?? null,
  };
}
