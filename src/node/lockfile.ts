// Checks a package-lock.json before Nix reads it, so a lockfile nixkit cannot install from gets
// an error at its line and column with the fix, not a Nix trace: lockfileVersion 1, a git
// dependency (not fetchable by integrity), a registry package without a usable `integrity`, a
// URL with credentials in it (it would be written into the store), a name or version Nix cannot
// name a store path after. One pass over the entries (positions are looked up only for problems,
// moving forward through the text), and a lockfile that passed is remembered by its hash.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { userCachePaths } from "../state/layout.js";
import { nixkitBuildId } from "../util/assets.js";
import { readInside, readTextInside } from "../util/bounded-read.js";
import { UserError } from "../util/errors.js";
import { redactUrls } from "../util/redact.js";

interface LockEntry {
  name?: unknown;
  version?: unknown;
  resolved?: unknown;
  integrity?: unknown;
  link?: boolean;
  inBundle?: boolean;
}

export interface CheckedLock {
  /** Some registry package has no `resolved` URL: its URL comes from npm's registry setting. */
  needsRegistry: boolean;
}

// The hashes Nix's fetchurl takes, strongest first, with their base64 lengths (SRI, as npm writes them).
const HASHES: [string, number][] = [
  ["sha512", 88],
  ["sha256", 44],
  ["sha1", 28],
];

/** The strongest hash of an `integrity` value Nix can check, or why there is none. */
export function strongestIntegrity(integrity: string): { hash: string } | { error: string } {
  const tokens = integrity.split(/\s+/).filter(Boolean);
  for (const token of tokens) {
    const [, algorithm, digest] = /^([a-z0-9]+)-([^?\s]*)(\?.*)?$/.exec(token) ?? [];
    if (!algorithm) return { error: `"integrity" is not a list of ALGORITHM-BASE64 hashes` };
    const known = HASHES.find(([name]) => name === algorithm);
    if (known && !(digest!.length === known[1] && /^[A-Za-z0-9+/]+={0,2}$/.test(digest!)))
      return { error: `its ${algorithm} "integrity" hash is malformed` };
  }
  for (const [name] of HASHES) {
    const token = tokens.find((t) => t.startsWith(`${name}-`));
    if (token) return { hash: token.replace(/\?.*$/, "") };
  }
  return { error: `"integrity" has no sha512, sha256 or sha1 hash (md5 and others cannot be trusted or are not checked by Nix)` };
}

// Nix store path names: [A-Za-z0-9+._?=-], and what node.nix's storeName makes of name and version.
export const nixNameSafe = (name: string, version: string): boolean =>
  /^[A-Za-z0-9+._?=-]+$/.test(`${name.replace(/[@/]/g, "")}-${version}`);
const credentialsIn = (url: string) => /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url);

/** Line:col of offsets in `text`, built once. */
function positions(text: string) {
  let starts: number[] | undefined;
  let cursor = 0;
  const lineCol = (offset: number) => {
    if (!starts) {
      starts = [0];
      for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return `${lo + 1}:${offset - starts[lo]! + 1}`;
  };
  return {
    /** Where `needle` next occurs (entries are asked for in file order, so the search moves forward). */
    of(needle: string): string {
      let at = text.indexOf(needle, cursor);
      if (at < 0) at = text.indexOf(needle);
      if (at < 0) return "1:1";
      cursor = at;
      return lineCol(at);
    },
    lineCol,
  };
}

// Lockfiles of package managers nixkit does not install from yet; pnpm's is read by pnpm-lockfile.ts.
const OTHER_LOCKFILES: Record<string, string> = { "bun.lock": "bun", "bun.lockb": "bun" };
const SUPPORTED =
  "nixkit installs Node dependencies from npm's package-lock.json (lockfileVersion 2 or 3), pnpm's pnpm-lock.yaml (9.0 or 6.0) and yarn's yarn.lock (yarn 1 or 4), for now";

/** Why the lockfile a field names cannot be used at all (missing, another tool's), for the field's own message. */
function unusableLockfile(projectDir: string, lockfile: string): string | undefined {
  const otherTool = OTHER_LOCKFILES[path.basename(lockfile)];
  if (otherTool)
    return `${lockfile} is ${otherTool}'s lockfile; ${SUPPORTED}: keep a package-lock.json beside it (\`npm install --package-lock-only\`) and name that`;
  const dir = path.dirname(path.join(projectDir, lockfile));
  for (const [other, lockedBy] of [
    ["pnpm-lock.yaml", "pnpm"],
    ["yarn.lock", "yarn"],
  ] as const)
    if (path.basename(lockfile) === "package-lock.json" && existsSync(path.join(dir, other)))
      return `${lockfile} does not exist, and the project is locked by ${lockedBy} instead: set lockfile: ${path.posix.join(path.dirname(lockfile), other)}`;
  const others = Object.keys(OTHER_LOCKFILES).filter((name) => existsSync(path.join(dir, name)));
  if (others.length > 0)
    return `${lockfile} does not exist, and the project is locked by ${others.map((o) => `${OTHER_LOCKFILES[o]} (${o})`).join(", ")} instead; ${SUPPORTED}: keep a package-lock.json beside it (\`npm install --package-lock-only\`)`;
  const tool = isPnpmLockfile(lockfile) ? "pnpm" : isYarnLockfile(lockfile) ? "yarn" : "npm";
  return `${lockfile} does not exist; run \`${tool} install\` in ${path.dirname(lockfile)} to create it`;
}

/** Whether a lockfile is pnpm's (read by pnpm-lockfile.ts), by its name. */
export const isPnpmLockfile = (lockfile: string): boolean => path.basename(lockfile) === "pnpm-lock.yaml";
/** Whether a lockfile is yarn's (read by yarn-lockfile.ts), by its name. */
export const isYarnLockfile = (lockfile: string): boolean => path.basename(lockfile) === "yarn.lock";

/** `lockfile` is relative to the project. A lockfile that cannot be used at all is `{ unusable }`, for its fields to say. */
export function checkLockfile(projectDir: string, lockfile: string): CheckedLock | { unusable: string } {
  const file = path.join(projectDir, lockfile);
  const shown = path.relative(process.cwd(), file) || file;
  if (OTHER_LOCKFILES[path.basename(lockfile)]) return { unusable: unusableLockfile(projectDir, lockfile)! };
  if ((isPnpmLockfile(lockfile) || isYarnLockfile(lockfile)) && !existsSync(file))
    return { unusable: unusableLockfile(projectDir, lockfile)! };
  const bytes = readInside(projectDir, file, "lockfile", shown);
  if (bytes === undefined) return { unusable: unusableLockfile(projectDir, lockfile)! };
  const npmDir = path.dirname(file);
  const cacheFile = path.join(
    userCachePaths().root,
    "lockfile-checks",
    `${createHash("sha256").update(bytes).update(nixkitBuildId()).digest("hex")}.json`,
  );
  const cached = readCached(cacheFile);
  if (cached) {
    checkManifests(projectDir, npmDir, cached.members);
    return { needsRegistry: cached.needsRegistry };
  }
  const text = bytes.toString("utf8");
  const where = positions(text);
  let lock: { lockfileVersion?: number; packages?: Record<string, LockEntry> };
  try {
    lock = JSON.parse(text) as typeof lock;
  } catch (error) {
    // V8 quotes the text it choked on: only the position is shown, never the content.
    const at = /at position (\d+)/.exec((error as Error).message);
    throw new UserError(`${shown}${at ? `:${where.lineCol(Number(at[1]))}` : ""}: not valid JSON; run \`npm install\` to rewrite it`);
  }
  if (
    typeof lock !== "object" ||
    lock === null ||
    lock.lockfileVersion === 1 ||
    typeof lock.packages !== "object" ||
    lock.packages === null
  ) {
    const version = typeof lock?.lockfileVersion === "number" ? lock.lockfileVersion : "(none)";
    throw new UserError(
      `${shown}:${where.of('"lockfileVersion"')}: lockfileVersion ${version} is ${version === 1 ? "npm 6's format, which nixkit cannot install from" : 'not a package-lock.json nixkit installs from (no "packages")'}; run \`npm install\` with npm 7 or later to upgrade it (lockfileVersion 3)`,
    );
  }
  const problems: string[] = [];
  const members: string[] = [];
  let needsRegistry = false;
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (typeof entry !== "object" || entry === null) {
      problems.push(
        `${shown}:${where.of(JSON.stringify(key) + ":")}: the entry ${JSON.stringify(key)} is not an object; run \`npm install\` to rewrite the lockfile`,
      );
      continue;
    }
    if (key === "" || entry.link || entry.inBundle) continue;
    if (!key.includes("node_modules/")) {
      members.push(key);
      continue;
    }
    const at = () => `${shown}:${where.of(JSON.stringify(key) + ":")}`;
    const name = typeof entry.name === "string" ? entry.name : key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length);
    const resolved = typeof entry.resolved === "string" ? entry.resolved : "";
    if (entry.resolved !== undefined && typeof entry.resolved !== "string") {
      problems.push(`${at()}: ${name}'s "resolved" is not a string; run \`npm install\` to rewrite it`);
    } else if (/^(git\+|git:|github:|gitlab:|bitbucket:)/.test(resolved) || /^[^/@:]+\/[^/]+#/.test(resolved)) {
      problems.push(
        `${at()}: ${name} is a git dependency (${redactUrls(resolved)}); Nix fetches npm packages by the lockfile's integrity hash, which git dependencies lack: publish it to a registry, or depend on a tarball (npm pack) with file:`,
      );
    } else if (resolved.startsWith("file:")) {
      continue;
    } else if (credentialsIn(resolved)) {
      problems.push(
        `${at()}: ${name}'s "resolved" URL carries credentials (${redactUrls(resolved)}); they would be written into the world-readable store: remove them from the lockfile and put the token in .npmrc (//HOST/:_authToken=...), which nixkit never copies`,
      );
    } else if (resolved !== "" && !/^https?:\/\/[^\s"\\]+$/.test(resolved)) {
      problems.push(`${at()}: ${name}'s "resolved" is not an http(s) URL; run \`npm install\` to rewrite it`);
    } else if (typeof entry.integrity !== "string" || entry.integrity === "") {
      problems.push(
        `${at()}: ${name} has no "integrity" hash, so its download cannot be checked; run \`npm install\` to record it (delete node_modules first if npm keeps it out)`,
      );
    } else {
      const integrity = strongestIntegrity(entry.integrity);
      const version = typeof entry.version === "string" ? entry.version : "";
      if ("error" in integrity)
        problems.push(`${at()}: ${name}: ${integrity.error}; run \`npm cache clean --force && npm install\` to record a sha512 one`);
      else if (!nixNameSafe(name, version))
        problems.push(
          `${at()}: ${JSON.stringify(name)} at version ${JSON.stringify(version)} is not an npm package name and version Nix can store (letters, digits, + . _ - only); run \`npm install\` to rewrite the lockfile`,
        );
      else if (!entry.resolved) needsRegistry = true;
    }
  }
  if (problems.length > 0) throw new UserError(problems.join("\n"));
  checkManifests(projectDir, npmDir, members);
  writeCached(cacheFile, { needsRegistry, members });
  return { needsRegistry };
}

/**
 * The package.json files Nix copies for the install (the npm project's and each workspace
 * member's): regular files inside the project, of a sane size.
 */
function checkManifests(projectDir: string, npmDir: string, members: string[]): void {
  for (const dir of [".", ...members]) {
    const file = path.join(npmDir, dir, "package.json");
    if (!path.resolve(file).startsWith(path.resolve(projectDir) + path.sep))
      throw new UserError(`${path.relative(projectDir, file)}: a workspace member outside the project; nixkit builds only from inside it`);
    readTextInside(projectDir, file, "packageJson");
  }
}

interface CachedCheck {
  needsRegistry: boolean;
  members: string[];
}

function readCached(file: string): CachedCheck | undefined {
  try {
    const text = readTextInside(path.dirname(file), file, "config");
    const value = text === undefined ? undefined : (JSON.parse(text) as CachedCheck);
    return value && typeof value.needsRegistry === "boolean" && Array.isArray(value.members) ? value : undefined;
  } catch {
    return undefined;
  }
}

function writeCached(file: string, value: CachedCheck): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    if (existsSync(file)) return;
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(value));
    renameSync(temp, file);
  } catch {
    // Only a speed-up: a read-only or full cache must not fail the command.
  }
}
