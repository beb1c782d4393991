// Runs one command in the dev environment and exits with its code.
import type { Invocation } from "../cli.js";
import { runInEnv } from "../shell/launch.js";
import type { CommandContext } from "./context.js";
import { ensureRc } from "./dev-env.js";
import { prepareProject } from "./project.js";

export async function run(ctx: CommandContext, inv: Invocation): Promise<void> {
  const loaded = await prepareProject(ctx);
  const rcFile = await ensureRc(ctx, loaded, Boolean(inv.options.staleOk));
  process.exitCode = await runInEnv(
    { rcFile, projectDir: ctx.projectDir, workDir: ctx.workDir, pure: Boolean(inv.options.pure) },
    inv.args,
  );
}
