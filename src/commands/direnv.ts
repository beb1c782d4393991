// Writes an .envrc that loads the cached dev environment and reloads when its inputs change.
import { existsSync } from "node:fs";
import path from "node:path";
import type { Invocation } from "../cli.js";
import { shellQuote } from "../shell/rc.js";
import { writeFileAtomic } from "../util/atomic.js";
import { UserError } from "../util/errors.js";
import type { CommandContext } from "./context.js";

export async function run(ctx: CommandContext, inv: Invocation): Promise<void> {
  const target = path.join(ctx.projectDir, ".envrc");
  if (existsSync(target) && !inv.options.force)
    throw new UserError(`${target} already exists; nixkit will not overwrite it (pass --force to replace it)`);
  const self = process.argv[1] ? `node ${shellQuote(path.resolve(process.argv[1]))}` : "nixkit";
  const override = ctx.nixpkgsOverride ? ` --nixpkgs ${shellQuote(ctx.nixpkgsOverride)}` : "";
  await writeFileAtomic(
    target,
    [
      "# Written by `nixkit direnv`: the project's dev environment, cached by nixkit; direnv reloads it",
      "# when one of the files nixkit keys the environment on changes.",
      "watch_file nixkit.yaml flake.nix flake.lock .nixkit/lib/*.nix",
      `eval "$(${self}${override} env --direnv)"`,
      "",
    ].join("\n"),
  );
  ctx.logger.result(`wrote .envrc; run \`direnv allow\` to use it`);
}
