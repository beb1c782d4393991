import { manifestJsonSchema } from "../manifest/json-schema.js";
import type { CommandContext } from "./context.js";

export async function run(ctx: CommandContext): Promise<void> {
  ctx.logger.data(manifestJsonSchema());
}
