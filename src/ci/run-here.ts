// `nixkit ci`: the pipeline run here as the generated CI jobs run it, with the project's binary
// cache and remote builders, its report and merged JUnit written where asked.
import type { LoadedManifest } from "../manifest/load.js";
import type { NixDriver } from "../nix/driver.js";
import { binaryCacheOf } from "../nix/substituters.js";
import { prefetchNpmTarballs } from "../node/prefetch.js";
import { useRemoteBuilders } from "../builds/builders.js";
import { writeReport } from "../state/reports.js";
import type { Logger } from "../util/logger.js";
import { planPipeline, type Stage } from "./pipeline.js";
import { pipelineReport, type PipelineReport } from "./report.js";
import { runPipeline, type PipelineResult } from "./run.js";

export interface CiRunOptions {
  projectDir: string;
  system: string;
  stages?: Stage[];
  maxJobs: string;
  keepGoing: boolean;
  /** A builders string for this run; otherwise ci.builders (as a machines file). */
  builders?: string;
  /** Build without a builder that cannot be reached, instead of stopping. */
  fallbackLocal: boolean;
  tlsVerify: boolean;
  nixpkgsOverridden: boolean;
  reportFile?: string;
  junitFile?: string;
  emit: (event: Record<string, unknown>) => void;
}

export async function runCi(
  driver: NixDriver,
  logger: Logger,
  loaded: LoadedManifest,
  options: CiRunOptions,
): Promise<{ report: PipelineReport; result: PipelineResult }> {
  const { version } = await driver.detect();
  driver.useBinaryCache(binaryCacheOf(loaded.manifest.cache));
  const maxJobs = await useRemoteBuilders(driver, logger, options.projectDir, loaded.manifest.ci.builders, {
    builders: options.builders,
    fallbackLocal: options.fallbackLocal,
    jobs: options.maxJobs,
  });
  const started = Date.now();
  const stages = planPipeline(loaded.manifest, options.stages);
  if (stages.some((s) => s.stage !== "check"))
    await prefetchNpmTarballs(driver, options.projectDir, loaded.manifest, options.system, logger);
  const result = await runPipeline(stages, { ...options, maxJobs, driver, logger, loaded });
  const report = pipelineReport(
    { project: loaded.manifest.name, system: options.system, nix: version.text, durationMs: Date.now() - started },
    stages,
    result,
  );
  if (options.reportFile) await writeReport(options.projectDir, options.reportFile, JSON.stringify(report, null, 2) + "\n");
  if (options.junitFile) {
    const { junitSource, mergeJUnit } = await import("../test-runner/junit.js");
    await writeReport(options.projectDir, options.junitFile, mergeJUnit(result.tests.map((t) => junitSource(t, logger.warn))));
  }
  options.emit({ event: "pipeline", status: result.status, durationMs: report.durationMs });
  return { report, result };
}
