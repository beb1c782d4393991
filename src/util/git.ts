// git: the one place nixkit asks it anything. Nix only sees the files git tracks in a git
// project, and images carry the commit they were built from.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

/** Whether a directory is inside a git work tree (found by its .git, without running git). */
export function insideGitRepo(dir: string): boolean {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if (existsSync(path.join(current, ".git"))) return true;
    if (path.dirname(current) === current) return false;
  }
}

export const GIT_ADD_HINT = "this project is in a git repository: run `git add flake.nix .nixkit` so Nix sees the generated files";

/** org.opencontainers.image.source/revision from git when the project is a git checkout. */
export function gitAnnotations(projectDir: string): Record<string, string> {
  const git = (...args: string[]) => {
    try {
      return execFileSync("git", ["-C", projectDir, ...args], { stdio: ["ignore", "pipe", "ignore"] })
        .toString()
        .trim();
    } catch {
      return "";
    }
  };
  const revision = git("rev-parse", "HEAD");
  const source = git("config", "--get", "remote.origin.url");
  return {
    ...(revision ? { "org.opencontainers.image.revision": revision } : {}),
    ...(source ? { "org.opencontainers.image.source": source } : {}),
  };
}
