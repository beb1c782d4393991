// nixkit ci: the pipeline here, stage by stage, as the generated CI jobs run it;
// nixkit ci generate: the GitHub Actions / GitLab CI files.
import path from "node:path";
import type { Invocation } from "../cli.js";
import { cacheArgs } from "../cache/substituters.js";
import { parseStages, planPipeline } from "../ci/pipeline.js";
import { runPipeline, type JobResult } from "../ci/run.js";
import { describeDrift, findDrift } from "../generate/drift.js";
import { readManifest } from "../manifest/read.js";
import { formatDuration } from "../test/summary.js";
import { writeFileAtomic, writeFileIfChanged, writeFilesAtomic } from "../util/atomic.js";
import { UserError, WorkFailed } from "../util/errors.js";
import { currentSystem } from "../util/system.js";
import type { CommandContext } from "./context.js";

export async function run(ctx: CommandContext, inv: Invocation): Promise<void> {
  if (inv.command === "ci generate") return generate(ctx, inv);
  const loaded = await readManifest(ctx.projectDir);
  let only;
  try {
    only = parseStages(inv.options.stages === undefined ? undefined : String(inv.options.stages));
  } catch (error) {
    throw new UserError((error as Error).message);
  }
  const driver = ctx.driver();
  await driver.detect();
  driver.useForBuilds([
    ...(await cacheArgs(loaded.manifest, ctx.logger)),
    ...(await builderArgs(ctx, loaded.manifest.ci.builders, inv.options.builders)),
  ]);
  const system = currentSystem();
  const started = Date.now();
  const stages = planPipeline(loaded.manifest, only);
  const emit = (event: Record<string, unknown>) => {
    if (ctx.logger.json) process.stdout.write(JSON.stringify(event) + "\n");
  };
  const result = await runPipeline(stages, {
    driver,
    logger: ctx.logger,
    loaded,
    projectDir: ctx.projectDir,
    system,
    maxJobs: String(inv.options.jobs),
    keepGoing: Boolean(inv.options.keepGoing),
    nixpkgsOverridden: Boolean(ctx.nixpkgsOverride),
    tlsVerify: inv.options.tlsVerify !== false,
    emit,
  });
  const report = {
    schemaVersion: 1,
    project: loaded.manifest.name,
    system,
    nix: (await driver.detect()).version.text,
    status: result.status,
    durationMs: Date.now() - started,
    stages: stages.map(({ stage }) => ({ stage, status: stageStatus(result.jobs.filter((j) => j.stage === stage)) })),
    jobs: result.jobs,
  };
  if (inv.options.report) await writeFileAtomic(path.resolve(String(inv.options.report)), JSON.stringify(report, null, 2) + "\n");
  if (inv.options.junit) {
    const { junitSource, mergeJUnit } = await import("../test/junit.js");
    await writeFileAtomic(path.resolve(String(inv.options.junit)), mergeJUnit(result.tests.map(junitSource)));
  }
  emit({ event: "pipeline", status: result.status, durationMs: report.durationMs });
  if (!ctx.logger.json) ctx.logger.result(summary(result.jobs));
  if (result.status === "failed")
    throw new WorkFailed(
      `the pipeline failed: ${result.jobs
        .filter((j) => j.status === "failed")
        .map((j) => `${j.stage}/${j.name}`)
        .join(", ")}`,
    );
}

function stageStatus(jobs: JobResult[]): string {
  if (jobs.some((j) => j.status === "failed")) return "failed";
  if (jobs.length > 0 && jobs.every((j) => j.status === "skipped")) return "skipped";
  return "passed";
}

function summary(jobs: JobResult[]): string {
  const rows = [
    ["STAGE", "JOB", "STATUS", "RUN", "TIME", "DETAIL"],
    ...jobs.map((j) => [
      j.stage,
      j.name,
      j.status.toUpperCase(),
      j.status === "passed" ? (j.cached ? "cached" : "ran") : "-",
      formatDuration(j.durationMs),
      j.digest ?? j.detail ?? "",
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n");
}

// Remote builders: --builders passes a builders string through; ci.builders becomes a machines
// file (written only when it changes).
async function builderArgs(ctx: CommandContext, lines: string[], flag: unknown): Promise<string[]> {
  if (typeof flag === "string") return ["--option", "builders", flag];
  if (lines.length === 0) return [];
  const machines = path.join(ctx.projectDir, ".nixkit", "cache", "machines");
  await writeFileIfChanged(machines, lines.join("\n") + "\n");
  return ["--option", "builders", `@${machines}`];
}

async function generate(ctx: CommandContext, inv: Invocation): Promise<void> {
  const { ciFiles, GITHUB_FILE, GITLAB_FILE, renderProvider } = await import("../ci/generate.js");
  const { manifest } = await readManifest(ctx.projectDir);
  const provider = inv.options.provider === undefined ? undefined : String(inv.options.provider);
  if (provider !== undefined && provider !== "github" && provider !== "gitlab")
    throw new UserError(`--provider takes github or gitlab, not "${provider}"`);
  const files = provider
    ? [{ path: provider === "github" ? GITHUB_FILE : GITLAB_FILE, content: renderProvider(manifest, provider) }]
    : ciFiles(manifest);
  if (files.length === 0) throw new UserError("no provider: pass --provider github|gitlab, or set ci.providers in nixkit.yaml");
  const drifts = await findDrift(ctx.projectDir, files, false);
  if (inv.options.check) {
    if (drifts.length === 0) return ctx.logger.result("CI files are up to date");
    for (const d of drifts) ctx.logger.info(`  ${describeDrift(d)}`);
    throw new WorkFailed(`${drifts.length} CI file(s) are stale; run \`nixkit ci generate\``);
  }
  await writeFilesAtomic(
    drifts.map((d) => ({ path: path.join(ctx.projectDir, d.path), content: files.find((f) => f.path === d.path)!.content })),
  );
  ctx.logger.result(drifts.length ? `wrote ${drifts.map((d) => d.path).join(", ")}` : "CI files are up to date");
}
