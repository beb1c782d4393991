// Whether a directory is inside a git work tree (Nix then only sees files git tracks).
import { existsSync } from "node:fs";
import path from "node:path";

export function insideGitRepo(dir: string): boolean {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if (existsSync(path.join(current, ".git"))) return true;
    if (path.dirname(current) === current) return false;
  }
}

export const GIT_ADD_HINT = "this project is in a git repository: run `git add flake.nix .nixkit` so Nix sees the generated files";
