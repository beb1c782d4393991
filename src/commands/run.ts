// Runs one command in the dev shell environment and exits with its code.
import type { Invocation } from "../cli.js";
import type { CommandContext } from "./context.js";
import { prepareProject, withManifestErrors } from "./project.js";

export async function run(ctx: CommandContext, inv: Invocation): Promise<void> {
  const loaded = await prepareProject(ctx);
  const code = await withManifestErrors(loaded, () => ctx.driver().develop(inv.args, Boolean(inv.options.pure)));
  process.exitCode = code;
}
