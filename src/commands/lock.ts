import type { Invocation } from "../cli.js";
import type { CommandContext } from "./context.js";
import { prepareProject, withManifestErrors } from "./project.js";

export async function run(ctx: CommandContext, inv: Invocation): Promise<void> {
  const loaded = await prepareProject(ctx);
  const update = inv.options.update;
  const inputs = update === true ? Object.keys(loaded.manifest.inputs) : typeof update === "string" ? [update] : [];
  await withManifestErrors(loaded, () => ctx.driver().lock(inputs));
  ctx.logger.result("flake.lock is up to date");
}
