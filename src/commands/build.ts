// nixkit build and nixkit test: the manifest's builds and tests, in the Nix sandbox.
import path from "node:path";
import type { BuilderChoice } from "../builds/builders.js";
import type { Session } from "../workflows/session.js";
import { logOf, type TestResult } from "../test-runner/results.js";
import { summaryTable, tally } from "../test-runner/summary.js";
import { WorkFailed } from "../util/errors.js";
import { runBuilds } from "../workflows/build.js";
import { prepareProject } from "../workflows/project.js";
import { runTestSuite, writeMergedJUnit } from "../workflows/test.js";

export interface BuildOptions extends BuilderChoice {
  names: string[];
}

export async function build(session: Session, options: BuildOptions): Promise<void> {
  const { logger } = session;
  const project = await prepareProject(session, { select: { kind: "builds", names: options.names }, builders: options });
  if (project.names.length === 0) return logger.result("nothing to build: nixkit.yaml declares no builds");
  const results = await runBuilds(project, project.names);
  if (logger.json) {
    logger.data({
      builds: results.map(({ name, outPath, outLink, problem }) => ({
        name,
        status: problem?.kind ?? "built",
        outPath: outPath ?? null,
        outLink,
        detail: problem?.detail ?? null,
      })),
    });
  } else {
    for (const r of results)
      logger.result(r.outPath ? `${r.name}\t${r.outPath}` : `${r.name}\t${r.problem!.kind.toUpperCase()}: ${r.problem!.detail}`);
  }
  const bad = results.filter((r) => r.problem);
  if (bad.length)
    throw new WorkFailed(
      `${bad.length} of ${results.length} build(s) did not succeed: ${bad.map((r) => `${r.name} (${r.problem!.kind})`).join(", ")}`,
    );
}

export interface TestOptions extends BuilderChoice {
  names: string[];
  junit?: string;
  rerun: boolean;
}

export async function test(session: Session, options: TestOptions): Promise<void> {
  const { logger } = session;
  const project = await prepareProject(session, { select: { kind: "tests", names: options.names }, builders: options });
  if (project.names.length === 0) return logger.result("no tests: nixkit.yaml declares none");
  const results = await runTestSuite(project, project.names, options.rerun);
  for (const failed of results.filter((r) => r.status === "fail")) {
    const log = logOf(failed).trimEnd();
    if (!log) {
      const reports = failed.reports.length
        ? `; its reports: ${failed.reports.map((r) => path.join(failed.reportsDir!, r)).join(", ")}`
        : "";
      logger.error(`test ${failed.name} failed (exit ${failed.exitCode}) and printed nothing${reports}`);
      continue;
    }
    logger.error(`test ${failed.name} failed (exit ${failed.exitCode}); its full log:`);
    for (const line of log.split("\n")) logger.info(`  ${line}`);
  }
  if (options.junit) {
    const file = path.resolve(options.junit);
    await writeMergedJUnit(project, file, results);
    logger.info(`merged JUnit report: ${file}`);
  }
  if (logger.json) logger.data({ tests: results.map(jsonResult), summary: tally(results) });
  else logger.result(`${summaryTable(results)}\n${tally(results)}`);

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
