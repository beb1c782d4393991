// nixkit ci: the pipeline here, stage by stage, as the generated CI jobs run it;
// nixkit ci generate: the GitHub Actions / GitLab CI files.
import path from "node:path";
import { parseStages } from "../ci/pipeline.js";
import { summaryTable } from "../ci/report.js";
import { runCi } from "../ci/run-here.js";
import { describeDrift, findDrift } from "../generate/freshness.js";
import { loadManifest } from "../manifest/load.js";
import { nodeContext } from "../node/registry-for.js";
import { refuseUnsafeProject } from "../project.js";
import type { Session } from "../session.js";
import { writeFilesAtomic } from "../state/atomic.js";
import { UserError, WorkFailed } from "../util/errors.js";
import { currentSystem } from "../util/system.js";

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
  const loaded = await loadManifest(session.projectDir);
  refuseUnsafeProject(session.projectDir);
  // The lockfiles' checks: a refused one is a usage error (exit 2), not a failed check job.
  nodeContext(loaded.manifest, session.projectDir, loaded.text);
  let stages;
  try {
    stages = parseStages(options.stages);
  } catch (error) {
    throw new UserError((error as Error).message);
  }
  const { result } = await runCi(session.nix(), logger, loaded, {
    projectDir: session.projectDir,
    system: currentSystem(),
    stages,
    maxJobs: options.jobs,
    keepGoing: options.keepGoing,
    builders: options.builders,
    fallbackLocal: options.fallbackLocal,
    tlsVerify: options.tlsVerify,
    nixpkgsOverridden: Boolean(session.nixpkgsOverride),
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
  logger.result(drifts.length ? `wrote ${drifts.map((d) => d.path).join(", ")}` : "CI files are up to date");
}
