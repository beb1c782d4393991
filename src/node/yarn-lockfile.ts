// Reads a yarn.lock of yarn 1 ("# yarn lockfile v1") into what the Nix library fetches
// (nix/lib/yarn.nix): each package's download, by the URL the lockfile resolved it to and its
// integrity (or the sha1 in the URL's fragment, as old lockfiles have only that), with the name
// yarn gives its tarball in an offline mirror. A lockfile nixkit cannot install from gets an
// error at its line with the fix: yarn 2+'s format, a git dependency, a download without a hash.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { readTextInside } from "../util/bounded-read.js";
import { UserError } from "../util/errors.js";
import { redactUrls } from "../util/redact.js";
import { strongestIntegrity } from "./lockfile.js";

export interface YarnDownload {
  url: string;
  hash: string;
  /** The tarball's name in yarn's offline mirror. */
  file: string;
}

interface Entry {
  key: string;
  line: number;
  fields: Record<string, string>;
}

/** `lockfile` is relative to the project; `known` is its text when the caller has read it. */
export function readYarnLock(projectDir: string, lockfile: string, known?: string): YarnDownload[] {
  const file = path.join(projectDir, lockfile);
  const shown = path.relative(process.cwd(), file) || file;
  const text = known ?? readTextInside(projectDir, file, "lockfile", shown);
  if (text === undefined) throw new UserError(`${shown} does not exist; run \`yarn install\` in ${path.dirname(lockfile)} to create it`);
  if (!/^# yarn lockfile v1$/m.test(text))
    throw new UserError(
      `${shown}:1:1: not a yarn 1 lockfile (no \`# yarn lockfile v1\` line); run \`yarn install\` with yarn 1 to rewrite it`,
    );
  const problems: string[] = [];
  const downloads = new Map<string, YarnDownload>();
  for (const entry of entries(text)) {
    const at = `${shown}:${entry.line}:1`;
    const name = packageName(entry.key);
    const resolved = entry.fields.resolved;
    if (resolved === undefined) {
      // A workspace member or a link: (no download).
      continue;
    }
    if (/^(git\+|git:|github:|gitlab:|bitbucket:)/.test(resolved) || /\.git(#|$)/.test(resolved)) {
      problems.push(
        `${at}: ${name} is a git dependency (${redactUrls(resolved)}); Nix fetches yarn's packages by their integrity hash, which git dependencies lack: publish it to a registry, or depend on a tarball of it (yarn pack) with file:`,
      );
      continue;
    }
    if (resolved.startsWith("file:")) continue;
    if (!/^https?:\/\/[^\s"\\]+$/.test(resolved)) {
      problems.push(`${at}: ${name}'s "resolved" is not an http(s) URL; run \`yarn install\` to rewrite the lockfile`);
      continue;
    }
    const [url, fragment] = resolved.split("#") as [string, string | undefined];
    const integrity = entry.fields.integrity
      ? strongestIntegrity(entry.fields.integrity)
      : fragment && /^[0-9a-f]{40}$/.test(fragment)
        ? { hash: `sha1-${Buffer.from(fragment, "hex").toString("base64")}` }
        : { error: "no integrity hash (nor a sha1 in its URL), so its download cannot be checked" };
    if ("error" in integrity) {
      problems.push(`${at}: ${name}: ${integrity.error}; run \`yarn install\` with yarn 1.10 or later to record one`);
      continue;
    }
    const mirrorName = mirrorFile(url);
    if (!/^[A-Za-z0-9+._?=@-]+$/.test(mirrorName)) {
      problems.push(
        `${at}: ${name}'s download ${redactUrls(url)} has a file name Nix cannot store; run \`yarn install\` to rewrite the lockfile`,
      );
      continue;
    }
    downloads.set(mirrorName, { url, hash: integrity.hash, file: mirrorName });
  }
  if (problems.length > 0) throw new UserError(problems.join("\n"));
  return [...downloads.values()].sort((a, b) => (a.file < b.file ? -1 : 1));
}

/** The entries of a yarn 1 lockfile: a key line at column 1, its fields indented by two spaces. */
function entries(text: string): Entry[] {
  const found: Entry[] = [];
  let current: Entry | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw === "" || raw.startsWith("#")) return;
    if (!raw.startsWith(" ")) {
      current = { key: raw.replace(/:$/, ""), line: index + 1, fields: {} };
      found.push(current);
      return;
    }
    const field = /^ {2}([A-Za-z]+) (.*)$/.exec(raw);
    if (current && field) current.fields[field[1]!] = unquote(field[2]!);
  });
  return found;
}

const unquote = (value: string): string => (value.startsWith('"') ? (JSON.parse(value) as string) : value);

/** The package a key names: the first spec's name ("@scope/a@^1", "a@npm:b@1" → a). */
function packageName(key: string): string {
  const first = unquote(key.split(/,\s*/)[0]!.trim());
  const at = first.indexOf("@", 1);
  return at < 0 ? first : first.slice(0, at);
}

/** yarn's offline-mirror name for a download: its file name, after its @scope for a scoped package. */
function mirrorFile(url: string): string {
  const parts = new URL(url).pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const base = parts.at(-1) ?? "";
  const scope = parts.find((p) => p.startsWith("@"));
  return scope && !base.startsWith("@") ? `${scope}-${base}` : base;
}

/**
 * The workspace members package.json's `workspaces` names (["packages/*"] or { packages: [...] }),
 * relative to the yarn project: directories with a package.json, each pattern's `*` one path segment.
 */
export function yarnWorkspaces(projectDir: string, yarnDir: string): string[] {
  const text = readTextInside(projectDir, path.join(yarnDir, "package.json"), "packageJson");
  let spec: unknown;
  try {
    spec = text === undefined ? undefined : (JSON.parse(text) as { workspaces?: unknown }).workspaces;
  } catch {
    return [];
  }
  const patterns = Array.isArray(spec)
    ? spec
    : Array.isArray((spec as { packages?: unknown })?.packages)
      ? (spec as { packages: unknown[] }).packages
      : [];
  const members = new Set<string>();
  for (const pattern of patterns.filter((p): p is string => typeof p === "string")) {
    let dirs = [""];
    for (const segment of pattern.replace(/^\.\//, "").split("/").filter(Boolean)) {
      if (segment === "..") return [];
      dirs = dirs.flatMap((dir) => {
        if (!segment.includes("*")) return [path.posix.join(dir, segment)];
        const matcher = new RegExp(`^${segment.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`);
        try {
          return readdirSync(path.join(yarnDir, dir), { withFileTypes: true })
            .filter((e) => e.isDirectory() && e.name !== "node_modules" && !e.name.startsWith(".") && matcher.test(e.name))
            .map((e) => path.posix.join(dir, e.name));
        } catch {
          return [];
        }
      });
    }
    for (const dir of dirs) if (dir && existsSync(path.join(yarnDir, dir, "package.json"))) members.add(dir);
  }
  return [...members].sort();
}

/**
 * The project's own directories and tarballs yarn 1 installs from (`file:` and `link:` specifiers
 * of the root's and the members' package.json), relative to the lockfile's directory: the
 * install's source needs them, and the install keeps the `link:` ones' package.json (yarn links
 * them) as it keeps the members'.
 */
export function yarnLocalPackages(projectDir: string, yarnDir: string, members: string[]): { localPaths: string[]; linked: string[] } {
  const localPaths = new Set<string>();
  const linked = new Set<string>();
  for (const member of ["", ...members]) {
    const file = path.join(yarnDir, member, "package.json");
    let manifest: Record<string, unknown> = {};
    try {
      manifest = JSON.parse(readTextInside(projectDir, file, "packageJson") ?? "{}") as Record<string, unknown>;
    } catch {
      continue;
    }
    for (const section of ["dependencies", "devDependencies", "optionalDependencies"]) {
      const deps = manifest[section];
      if (!deps || typeof deps !== "object") continue;
      for (const spec of Object.values(deps as Record<string, unknown>)) {
        const protocol = typeof spec === "string" ? /^(file|link):/.exec(spec)?.[1] : undefined;
        if (!protocol) continue;
        const target = path.posix.normalize(path.posix.join(member || ".", (spec as string).slice(protocol.length + 1)));
        if (!path.resolve(yarnDir, target).startsWith(path.resolve(projectDir) + path.sep))
          throw new UserError(
            `${path.relative(process.cwd(), file) || file}: ${spec as string} is outside the project; nixkit builds only from inside it`,
          );
        if (target === "." || members.includes(target)) continue;
        localPaths.add(target);
        if (protocol === "link") linked.add(target);
      }
    }
  }
  return { localPaths: [...localPaths].sort(), linked: [...linked].sort() };
}
