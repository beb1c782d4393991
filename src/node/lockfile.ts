// Checks a package-lock.json before Nix reads it, so a lockfile nixkit cannot install from gets
// an error at its line and column with the fix, not a Nix trace: lockfileVersion 1, a git
// dependency (not fetchable by integrity), a registry package without `integrity`.
import { readFileSync } from "node:fs";
import path from "node:path";
import { UserError } from "../util/errors.js";

interface LockEntry {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  inBundle?: boolean;
}

export interface CheckedLock {
  /** Some registry package has no `resolved` URL: its URL comes from npm's registry setting. */
  needsRegistry: boolean;
}

const position = (text: string, needle: string): string => {
  const at = text.indexOf(needle);
  if (at < 0) return "1:1";
  const before = text.slice(0, at).split("\n");
  return `${before.length}:${before.at(-1)!.length + 1}`;
};

/** `lockfile` is relative to the project; `field` the manifest field that names it. */
export function checkLockfile(projectDir: string, lockfile: string, field: string): CheckedLock {
  const file = path.join(projectDir, lockfile);
  const shown = path.relative(process.cwd(), file) || file;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new UserError(`nixkit.yaml ${field}: ${lockfile} does not exist; run \`npm install\` in ${path.dirname(lockfile)} to create it`);
  }
  let lock: { lockfileVersion?: number; packages?: Record<string, LockEntry> };
  try {
    lock = JSON.parse(text) as typeof lock;
  } catch (error) {
    throw new UserError(`${shown}: not valid JSON (${(error as Error).message}); run \`npm install\` to rewrite it`);
  }
  if (lock.lockfileVersion === 1 || !lock.packages) {
    throw new UserError(
      `${shown}:${position(text, '"lockfileVersion"')}: lockfileVersion ${lock.lockfileVersion ?? "(none)"} is npm 6's format, which nixkit cannot install from; run \`npm install\` with npm 7 or later to upgrade it (lockfileVersion 3)`,
    );
  }
  const problems: string[] = [];
  let needsRegistry = false;
  for (const [where, entry] of Object.entries(lock.packages)) {
    if (where === "" || entry.link || entry.inBundle || !where.includes("node_modules/")) continue;
    const name = entry.name ?? where.slice(where.lastIndexOf("node_modules/") + "node_modules/".length);
    const at = `${shown}:${position(text, JSON.stringify(where) + ":")}`;
    const resolved = entry.resolved ?? "";
    if (/^(git\+|git:|github:|gitlab:|bitbucket:)/.test(resolved) || /^[^/@]+\/[^/]+#/.test(resolved)) {
      problems.push(
        `${at}: ${name} is a git dependency (${resolved}); Nix fetches npm packages by the lockfile's integrity hash, which git dependencies lack: publish it to a registry, or depend on a tarball (npm pack) with file:`,
      );
    } else if (resolved.startsWith("file:")) {
      continue;
    } else if (!entry.integrity) {
      problems.push(
        `${at}: ${name} has no "integrity" hash, so its download cannot be checked; run \`npm install\` to record it (delete node_modules first if npm keeps it out)`,
      );
    } else if (!entry.resolved) {
      needsRegistry = true;
    }
  }
  if (problems.length > 0) throw new UserError(problems.join("\n"));
  return { needsRegistry };
}
