// nixkit ci: the pipeline here, stage by stage, as the generated CI jobs run it;
// nixkit ci generate: the GitHub Actions / GitLab CI files.
import path from "node:path";
import { writeCiStamp } from "../ci/fresh-stamp.js";
import { parseStages } from "../ci/pipeline.js";
import { summaryTable } from "../ci/report.js";
import { describeDrift, findDrift } from "../generate/freshness.js";
import { loadManifest } from "../manifest/load.js";
import type { Session } from "../workflows/session.js";
import { writeFilesAtomic } from "../state/atomic.js";
import { UserError, WorkFailed } from "../util/errors.js";
import { runPipelineHere } from "../workflows/pipeline.js";

export interface CiOptions {
  stages?: string;
  report?: string;
  junit?: string;
  keepGoing: boolean;
  builders?: string;
  fallbackLocal: boolean;
  jobs: string;
  tlsVerify: boolean;
}

export async function run(session: Session, options: CiOptions): Promise<void> {
  const { logger } = session;
  let stages;
  try {
    stages = parseStages(options.stages);
  } catch (error) {
    throw new UserError((error as Error).message);
  }
  const { result } = await runPipelineHere(session, {
    stages,
    builders: { builders: options.builders, fallbackLocal: options.fallbackLocal, jobs: options.jobs },
    keepGoing: options.keepGoing,
    tlsVerify: options.tlsVerify,
    reportFile: options.report,
    junitFile: options.junit,
    emit: (event) => logger.json && process.stdout.write(JSON.stringify(event) + "\n"),
  });
  if (!logger.json) logger.result(summaryTable(result.jobs));
  if (result.status === "failed") {
    const failed = result.jobs.filter((j) => j.status === "failed").map((j) => `${j.stage}/${j.name}`);
    throw new WorkFailed(`the pipeline failed: ${failed.join(", ")}`);
  }
}

export async function generate(session: Session, options: { provider?: "github" | "gitlab"; check: boolean }): Promise<void> {
  const { logger, projectDir } = session;
  const { ciFiles } = await import("../ci/generate.js");
  const { manifest } = await loadManifest(projectDir);
  const files = ciFiles(manifest, true, options.provider ? [options.provider] : undefined);
  if (files.length === 0) throw new UserError("no provider: pass --provider github|gitlab, or set ci.providers in nixkit.yaml");
  const drifts = await findDrift(projectDir, files, false);
  if (logger.json) logger.data({ fresh: drifts.length === 0, [options.check ? "stale" : "written"]: drifts.map((d) => d.path) });
  if (options.check) {
    if (drifts.length === 0) return logger.result("CI files are up to date");
    for (const d of drifts) logger.info(`  ${describeDrift(d)}`);
    throw new WorkFailed(`${drifts.length} CI file(s) are stale; run \`nixkit ci generate\``);
  }
  await writeFilesAtomic(
    drifts.map((d) => ({ path: path.join(projectDir, d.path), content: files.find((f) => f.path === d.path)!.content })),
  );
  // The pipeline's check stage then knows them fresh without rendering them again.
  if (!options.provider) writeCiStamp(projectDir, manifest);
  logger.result(drifts.length ? `wrote ${drifts.map((d) => d.path).join(", ")}` : "CI files are up to date");
}
