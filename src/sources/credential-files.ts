// Files that hold credentials (.npmrc, .pypirc, .netrc, .env*) never reach the store through
// nixkit. Builds' and tests' sources leave them out (nix/lib/source.nix) unless a build names one.
// The flake's own source is another matter: Nix copies every file git tracks (every file, outside
// git) into the world-readable store when it evaluates the flake. So before any Nix call, a
// credential written in such a file that Nix would copy is refused, naming the file, the line and
// the setting, never the value.
import { readdirSync } from "node:fs";
import path from "node:path";
import { readTextInside } from "../util/bounded-read.js";
import { UserError } from "../util/errors.js";
import { insideGitRepo, trackedMatching } from "../util/git.js";

/** What nix/lib/source.nix leaves out of every source unless an include pattern is the file's own path. */
export const CREDENTIAL_FILE = /(^|\/)(\.npmrc|\.pypirc|\.netrc|\.env(\.[^/]*)?)$/;
// yarn 4's settings: the install reads them, so they are not left out of sources, but a token
// written there is refused as in .npmrc.
const YARNRC = /(^|\/)\.yarnrc\.yml$/;
const SKIPPED_DIRS = new Set([".git", ".hg", ".svn", ".nixkit", ".direnv", "node_modules"]);
const EXAMPLE = /\.(example|sample|template|dist)$/;

// A setting that holds a secret, by file kind; a value that is only a variable (${NPM_TOKEN}) is none.
const SECRET_SETTINGS: [RegExp, RegExp][] = [
  [/(^|\/)\.npmrc$/, /^\s*([^=#;\s]*(?:_authToken|_auth|_password|password|certfile|keyfile))\s*=\s*(.*)$/i],
  [/(^|\/)\.pypirc$/, /^\s*(password)\s*[=:]\s*(.*)$/i],
  [/(^|\/)\.yarnrc\.yml$/, /^\s*(npmAuthToken|npmAuthIdent)\s*:\s*(.*)$/],
  [/(^|\/)\.netrc$/, /\b(password)\s+(\S+)/],
  [
    /(^|\/)\.env(\.[^/]*)?$/,
    /^\s*(?:export\s+)?([A-Za-z_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY|ACCESS_KEY)[A-Za-z0-9_]*)\s*=\s*(.*)$/i,
  ],
];

const isSecretValue = (value: string) => {
  const v = value.trim().replace(/^["']|["']$/g, "");
  return v !== "" && !/^\$(\{[A-Za-z_][A-Za-z0-9_]*(:?-)?\}|[A-Za-z_][A-Za-z0-9_]*)$/.test(v);
};

/** The credential files Nix would copy with the flake's source (relative paths). */
function filesNixCopies(projectDir: string): string[] {
  if (insideGitRepo(projectDir)) return trackedMatching(projectDir, [".npmrc", ".pypirc", ".netrc", ".env", ".env.*", ".yarnrc.yml"]);
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const entry of readdirSync(path.join(projectDir, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name) && depth < 6) walk(rel, depth + 1);
      else if (!entry.isDirectory() && (CREDENTIAL_FILE.test(rel) || YARNRC.test(rel))) found.push(rel);
    }
  };
  walk("", 0);
  return found.sort();
}

/** Throws when a file Nix would copy into the store holds a credential. */
export function refuseCopiedCredentials(projectDir: string): void {
  const problems: string[] = [];
  for (const rel of filesNixCopies(projectDir)) {
    if (EXAMPLE.test(rel)) continue;
    const setting = SECRET_SETTINGS.find(([file]) => file.test(rel))?.[1];
    let text: string | undefined;
    try {
      text = readTextInside(projectDir, path.join(projectDir, rel), "config");
    } catch {
      continue; // a link out of the project or a device: Nix copies the link, not what it points at
    }
    (text ?? "").split("\n").forEach((line, i) => {
      const match = setting?.exec(line);
      if (match && isSecretValue(match[2]!))
        problems.push(
          `${rel}:${i + 1}: ${match[1]} holds a credential, and Nix copies this file into the world-readable store with the flake's source (${insideGitRepo(projectDir) ? "git tracks it" : "the project is not a git repository"}): ${rel.endsWith(".npmrc") ? "write `${NPM_TOKEN}` there and set the variable, or keep the token in ~/.npmrc" : rel.endsWith(".yarnrc.yml") ? 'write "${NPM_TOKEN}" there and set the variable, or keep the token in ~/.yarnrc.yml' : "keep the secret out of the project (an environment variable, or a file in your home)"}${insideGitRepo(projectDir) ? `, and \`git rm --cached ${rel}\`` : ""}`,
        );
    });
  }
  if (problems.length > 0) throw new UserError(problems.join("\n"));
}
