import type { Invocation } from "../cli.js";
import { buildAndRoot } from "../build/run.js";
import { currentSystem } from "../util/system.js";
import type { CommandContext } from "./context.js";
import { prepareProject, selectNames, withManifestErrors } from "./project.js";

export async function run(ctx: CommandContext, inv: Invocation): Promise<void> {
  const loaded = await prepareProject(ctx);
  const names = selectNames("builds", Object.keys(loaded.manifest.builds), inv.args);
  if (names.length === 0) return ctx.logger.result("nothing to build: nixkit.yaml declares no builds");
  const results = await withManifestErrors(loaded, () =>
    buildAndRoot(ctx.driver(), ctx.projectDir, currentSystem(), names, { maxJobs: String(inv.options.jobs) }),
  );
  if (ctx.logger.json) return ctx.logger.data({ builds: results.map(({ name, outPath, outLink }) => ({ name, outPath, outLink })) });
  for (const r of results) ctx.logger.result(`${r.name}\t${r.outPath}`);
}
