// direnv support: the .envrc `nixkit direnv` writes, and the shell code `nixkit env --direnv`
// prints for it to evaluate.
import { existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "../state/atomic.js";
import { ENV_INPUT_FILES, LIB_DIR, projectPaths } from "../state/layout.js";
import { UserError } from "../util/errors.js";
import { shellQuote } from "../util/shell-quote.js";

/**
 * Writes .envrc: committable (nixkit from PATH, no machine's paths; --nixpkgs is read at load
 * time from NIXKIT_NIXPKGS), and direnv reloads when a file the environment is keyed on changes.
 */
export async function writeEnvrc(projectDir: string, force: boolean): Promise<string> {
  const target = projectPaths(projectDir).envrc;
  if (existsSync(target) && !force)
    throw new UserError(`${target} already exists; nixkit will not overwrite it (pass --force to replace it)`);
  await writeFileAtomic(
    target,
    [
      "# Written by `nixkit direnv`: the project's dev environment, cached by nixkit; direnv reloads it",
      "# when one of the files nixkit keys the environment on changes. Safe to commit.",
      `watch_file ${[...ENV_INPUT_FILES, `${LIB_DIR}/*.nix`].join(" ")}`,
      "if ! has nixkit; then",
      '  log_error "nixkit is not on PATH: install it (npm install --global nixkit), then run: direnv reload"',
      "  return 1",
      "fi",
      'eval "$(nixkit env --direnv)"',
      "",
    ].join("\n"),
  );
  return target;
}

/** The environment as shell code for direnv: the cached script, with NIXKIT_PROJECT. */
export const direnvScript = (projectDir: string, rcFile: string): string =>
  `export NIXKIT_PROJECT=${shellQuote(projectDir)}\n${readFileSync(rcFile, "utf8")}`;
