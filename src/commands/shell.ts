// Enters the dev shell through `nix develop`. (The cached, zero-evaluation warm path is its own issue.)
import type { Invocation } from "../cli.js";
import type { CommandContext } from "./context.js";
import { prepareProject, withManifestErrors } from "./project.js";

export async function run(ctx: CommandContext, inv: Invocation): Promise<void> {
  const loaded = await prepareProject(ctx);
  const code = await withManifestErrors(loaded, () => ctx.driver().develop([], Boolean(inv.options.pure)));
  process.exitCode = code;
}
