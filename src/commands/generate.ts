import type { Invocation } from "../cli.js";
import { applyPlan } from "../generate/apply.js";
import { describeDrift, findDrift } from "../generate/drift.js";
import { generatePlan } from "../generate/plan.js";
import { readManifest } from "../manifest/read.js";
import { WorkFailed } from "../util/errors.js";
import { GIT_ADD_HINT, insideGitRepo } from "../util/git.js";
import type { CommandContext } from "./context.js";

export async function run(ctx: CommandContext, inv: Invocation): Promise<void> {
  const { manifest, text } = await readManifest(ctx.projectDir);
  const plan = generatePlan(manifest, text);
  if (inv.options.check) {
    const drifts = await findDrift(ctx.projectDir, plan);
    if (ctx.logger.json) ctx.logger.data({ fresh: drifts.length === 0, drift: drifts });
    if (drifts.length === 0) return ctx.logger.result("generated files are up to date");
    for (const drift of drifts) ctx.logger.info(`  ${describeDrift(drift)}`);
    throw new WorkFailed(`${drifts.length} generated file(s) are stale; run \`nixkit generate\``);
  }
  const drifts = await applyPlan(ctx.projectDir, plan, Boolean(inv.options.force));
  if (ctx.logger.json) ctx.logger.data({ written: drifts.map((d) => d.path) });
  if (drifts.length === 0) return ctx.logger.result("generated files are up to date");
  for (const drift of drifts) ctx.logger.info(`  ${describeDrift(drift)}`);
  if (drifts.some((d) => d.kind === "missing") && insideGitRepo(ctx.projectDir)) ctx.logger.warn(GIT_ADD_HINT);
  ctx.logger.result(`wrote ${drifts.length} file(s)`);
}
