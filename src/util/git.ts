// git: the one place nixkit asks it anything. Nix only sees the files git tracks in a git
// project, and images carry the commit they were built from.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

/** The work tree above `dir` (found by its .git, without running git), if there is one. */
export function gitRootOf(dir: string): string | undefined {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if (existsSync(path.join(current, ".git"))) return current;
    if (path.dirname(current) === current) return undefined;
  }
}

/** The files git tracks below `dir`, relative to it (what Nix copies of a git flake), or undefined when git cannot say. */
export function trackedFiles(dir: string): string[] | undefined {
  try {
    const out = execFileSync("git", ["-C", dir, "ls-files", "-z", "--cached"], { stdio: ["ignore", "pipe", "ignore"], maxBuffer: 1 << 30 });
    return out.toString("utf8").split("\0").filter(Boolean);
  } catch {
    return undefined;
  }
}

/** Whether a directory is inside a git work tree. */
export const insideGitRepo = (dir: string): boolean => gitRootOf(dir) !== undefined;

export const GIT_ADD_HINT = "this project is in a git repository: run `git add flake.nix .nixkit` so Nix sees the generated files";

/** org.opencontainers.image.source/revision from git when the project is a git checkout. */
export function gitAnnotations(projectDir: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
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
  const source = ciRepositoryUrl(env) ?? publicRepositoryUrl(git("config", "--get", "remote.origin.url"));
  return {
    ...(revision ? { "org.opencontainers.image.revision": revision } : {}),
    ...(source ? { "org.opencontainers.image.source": source } : {}),
  };
}

/** The repository's URL as the CI names it (GitHub Actions, GitLab CI), when running there. */
function ciRepositoryUrl(env: NodeJS.ProcessEnv): string | undefined {
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY) return publicRepositoryUrl(`${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`);
  if (env.CI_PROJECT_URL) return publicRepositoryUrl(env.CI_PROJECT_URL);
  return undefined;
}

/**
 * One public form of a remote URL, so every clone of a commit records the same source: https,
 * no credentials, no port, one trailing ".git". A local path (or file://) is nobody else's URL:
 * it gives "".
 */
export function publicRepositoryUrl(remote: string): string {
  const text = remote.trim();
  let host: string;
  let repoPath: string;
  const scp = text.match(/^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return "";
    }
    if (url.protocol === "file:" || !url.hostname) return "";
    host = url.hostname;
    repoPath = decodeURIComponent(url.pathname);
  } else if (scp && !text.startsWith("/") && !text.startsWith(".")) {
    host = scp[1]!;
    repoPath = scp[2]!;
  } else {
    return "";
  }
  const cleanPath = repoPath
    .replace(/^\/+/, "")
    .replace(/\/+$/, "")
    .replace(/(\.git)?$/, ".git");
  return cleanPath === ".git" ? "" : `https://${host.toLowerCase()}/${cleanPath}`;
}

const gitOutput = (projectDir: string, args: string[]): string | undefined => {
  try {
    return execFileSync("git", ["-C", projectDir, ...args], { stdio: ["ignore", "pipe", "ignore"] }).toString();
  } catch {
    return undefined;
  }
};

/**
 * Registers files with git (`git add --intent-to-add`, as `nix flake init` does): Nix only sees
 * the files git knows in a git repository. Their content is staged by the user, as usual.
 */
export function registerWithGit(projectDir: string, files: string[]): boolean {
  if (files.length === 0 || !insideGitRepo(projectDir)) return true;
  return gitOutput(projectDir, ["add", "--intent-to-add", "--", ...files]) !== undefined;
}

/** Files below `projectDir` that git neither tracks nor ignores (relative paths). */
export function untrackedFiles(projectDir: string): string[] {
  if (!insideGitRepo(projectDir)) return [];
  return (gitOutput(projectDir, ["ls-files", "--others", "--exclude-standard", "-z"]) ?? "").split("\0").filter(Boolean);
}

/** Tracked (or intended) files below `projectDir` whose base name matches one of `names` (globs). */
export function trackedMatching(projectDir: string, names: string[]): string[] {
  const specs = names.map((name) => `:(glob)**/${name}`);
  return (gitOutput(projectDir, ["ls-files", "-z", "--", ...specs]) ?? "").split("\0").filter(Boolean).sort();
}

/** Which of `paths` (relative; a trailing / for a directory) git's ignore rules match, whatever the index holds. */
export function ignoredByGit(projectDir: string, paths: string[]): string[] {
  if (!insideGitRepo(projectDir)) return [];
  return (gitOutput(projectDir, ["check-ignore", "--no-index", "--", ...paths]) ?? "").split("\n").filter(Boolean);
}

/** Which of `files` (relative to `projectDir`) git knows, tracked or intended. */
export function knownToGit(projectDir: string, files: string[]): Set<string> {
  return new Set((gitOutput(projectDir, ["ls-files", "-z", "--", ...files]) ?? "").split("\0").filter(Boolean));
}
