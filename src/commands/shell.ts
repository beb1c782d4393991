// Opens the user's interactive shell in the dev environment.
import type { Invocation } from "../cli.js";
import { interactiveShell } from "../shell/launch.js";
import type { CommandContext } from "./context.js";
import { ensureRc } from "./dev-env.js";
import { prepareProject } from "./project.js";

export async function run(ctx: CommandContext, inv: Invocation): Promise<void> {
  const loaded = await prepareProject(ctx);
  const rcFile = await ensureRc(ctx, loaded, Boolean(inv.options.staleOk));
  process.exitCode = await interactiveShell(
    { rcFile, projectDir: ctx.projectDir, workDir: ctx.workDir, pure: Boolean(inv.options.pure) },
    loaded.manifest.name,
  );
}
