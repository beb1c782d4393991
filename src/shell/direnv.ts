// direnv support: the .envrc `nixkit direnv` writes, and the shell code `nixkit env --direnv`
// prints for it to evaluate.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../state/atomic.js";
import { ENV_INPUT_FILES, LIB_DIR, projectPaths } from "../state/layout.js";
import { UserError } from "../util/errors.js";
import { shellQuote } from "./rc.js";

/** Writes .envrc: direnv reloads when a file the environment is keyed on changes. */
export async function writeEnvrc(projectDir: string, nixpkgsOverride: string | undefined, force: boolean): Promise<string> {
  const target = projectPaths(projectDir).envrc;
  if (existsSync(target) && !force)
    throw new UserError(`${target} already exists; nixkit will not overwrite it (pass --force to replace it)`);
  const self = process.argv[1] ? `node ${shellQuote(path.resolve(process.argv[1]))}` : "nixkit";
  const override = nixpkgsOverride ? ` --nixpkgs ${shellQuote(nixpkgsOverride)}` : "";
  await writeFileAtomic(
    target,
    [
      "# Written by `nixkit direnv`: the project's dev environment, cached by nixkit; direnv reloads it",
      "# when one of the files nixkit keys the environment on changes.",
      `watch_file ${[...ENV_INPUT_FILES, `${LIB_DIR}/*.nix`].join(" ")}`,
      `eval "$(${self}${override} env --direnv)"`,
      "",
    ].join("\n"),
  );
  return target;
}

/** The environment as shell code for direnv: the cached script, with NIXKIT_PROJECT. */
export const direnvScript = (projectDir: string, rcFile: string): string =>
  `export NIXKIT_PROJECT=${shellQuote(projectDir)}\n${readFileSync(rcFile, "utf8")}`;
