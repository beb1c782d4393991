import { prepareOfflinePkgs } from "../offline/prepare.js";
import type { CommandContext } from "./context.js";

export async function run(ctx: CommandContext): Promise<void> {
  const ref = await prepareOfflinePkgs();
  if (ctx.logger.json) ctx.logger.data({ flakeRef: ref });
  else process.stdout.write(ref + "\n");
}
