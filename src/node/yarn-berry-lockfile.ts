// Reads a yarn berry yarn.lock (`__metadata:`, as yarn 4 writes it) into what the Nix library
// fetches (nix/lib/yarn-berry.nix): each package yarn puts in its cache, by the file name yarn
// gives it there, its download and the hash Nix checks it by, with its platforms. yarn's checksum
// is the sha512 of the zip archive yarn makes of a package (not of its tarball): Nix rebuilds that
// zip from the tarball (nix/lib/yarn-zip.cjs) and checks it against the checksum. Platform
// packages yarn did not fetch when it wrote the lockfile have no checksum: for those a manifest's
// system installs, the npm registry's integrity of the tarball is asked once (`integrityOf`).
// A lockfile nixkit cannot install from gets an error at its line and column with the fix.
import { createHash } from "node:crypto";
import path from "node:path";
import { LineCounter, parseDocument, type Node } from "yaml";
import { readTextInside } from "../util/bounded-read.js";
import { UserError } from "../util/errors.js";
import { redactUrls } from "../util/redact.js";
import { nixNameSafe } from "./lockfile.js";
import { splitKey } from "./pnpm-lockfile.js";
import { keyOf, mapItems, pairOf, parseLockYaml, scalarText } from "./yaml-nodes.js";

export interface BerryLock {
  /**
   * "FILE NAME SOURCE HASH[ os=A][ cpu=A][ libc=A]" per package yarn fetches, sorted: one line of
   * flake.nix each. SOURCE is the version (from the registry) or a URL; HASH is zip:SRI (yarn's
   * checksum of its archive) or the SRI integrity of the npm tarball.
   */
  packages: string[];
  /** Workspace members other than the lockfile's own directory, relative to it. */
  members: string[];
  /** Files and directories of the project the install reads, relative to the lockfile's directory. */
  localPaths: string[];
  /** Directories of link: and portal: packages, which yarn links to, relative to it (also in localPaths). */
  linked: string[];
  /** .yarnrc.yml's nodeLinker: yarn's default, Plug'n'Play, or a node_modules tree. */
  linker: "pnp" | "node-modules";
}

// yarn 4's cache: cache version 10, compressionLevel 0 (its default), whose archives yarn-zip.cjs makes.
const CACHE_KEY = "10c0";

// Nix systems in yarn's condition terms (os, cpu, libc).
const PLATFORMS: Record<string, Record<string, string>> = {
  "x86_64-linux": { os: "linux", cpu: "x64", libc: "glibc" },
  "aarch64-linux": { os: "linux", cpu: "arm64", libc: "glibc" },
  "x86_64-darwin": { os: "darwin", cpu: "x64" },
  "aarch64-darwin": { os: "darwin", cpu: "arm64" },
};

export const isBerryLockText = (text: string): boolean => /^__metadata:/m.test(text);

/**
 * `lockfile` is relative to the project; `systems` are the manifest's; `integrityOf("name@version")`
 * is the npm registry's integrity of a tarball; `known` is the lockfile's text when the caller has read it.
 */
export function readBerryLock(
  projectDir: string,
  lockfile: string,
  systems: string[],
  integrityOf: (spec: string) => string,
  known?: string,
): BerryLock {
  const file = path.join(projectDir, lockfile);
  const shown = path.relative(process.cwd(), file) || file;
  const text = known ?? readTextInside(projectDir, file, "lockfile", shown) ?? "";
  const { doc, at } = parseLockYaml(text, shown, "yarn install");
  const metadata = pairOf(doc.contents, "__metadata")?.value;
  const cacheKey = pairOf(metadata, "cacheKey");
  if (scalarText(cacheKey?.value) !== CACHE_KEY)
    throw new UserError(
      `${at((cacheKey?.value ?? metadata ?? doc.contents) as Node)}: cacheKey ${scalarText(cacheKey?.value) ?? "(none)"} is not yarn 4's ${CACHE_KEY}: nixkit rebuilds yarn's cache archives as yarn 4 makes them with compressionLevel 0, its default; run \`yarn set version 4\` (and remove compressionLevel from .yarnrc.yml), then \`yarn install\``,
    );
  const problems: string[] = [];
  const packages = new Set<string>();
  const members = new Set<string>();
  const localPaths = new Set<string>([".yarn/patches", ".yarn/plugins"]);
  const linked = new Set<string>();
  for (const pair of mapItems(doc.contents)) {
    if (keyOf(pair) === "__metadata") continue;
    const resolutionNode = pairOf(pair.value, "resolution")?.value;
    const resolution = scalarText(resolutionNode);
    const where = at((resolutionNode ?? pair.key) as Node);
    if (resolution === undefined) {
      problems.push(`${where}: ${keyOf(pair)} has no resolution; run \`yarn install\` to rewrite the lockfile`);
      continue;
    }
    const { name, version: reference } = splitKey(resolution);
    const [protocol] = /^[^:]*:/.exec(reference) ?? [""];
    const params = new URLSearchParams(reference.includes("::") ? reference.slice(reference.indexOf("::") + 2) : "");
    if (protocol === "workspace:") {
      const member = path.posix.normalize(reference.slice(protocol.length));
      if (member !== ".") members.add(member);
      continue;
    }
    // yarn makes these itself from what it fetched or from the project (patch: from its base package).
    if (protocol === "patch:") continue;
    if (["file:", "portal:", "link:"].includes(protocol)) {
      // file: resolutions read "file:SOURCE#SELECTOR", both the path.
      const local = localPath(reference.slice(protocol.length).split("::")[0]!.split("#")[0]!, params);
      localPaths.add(local);
      if (protocol !== "file:") linked.add(local);
      continue;
    }
    if (protocol === "exec:" || /^(git\+|git:|github:|gitlab:|bitbucket:)/.test(reference) || /\.git(#|$)|#commit=/.test(reference)) {
      problems.push(
        `${where}: ${name} is ${protocol === "exec:" ? "an exec: (generated)" : "a git"} dependency (${redactUrls(reference)}); Nix fetches yarn's packages by the lockfile's checksum of each download, which nixkit cannot make for one: publish it to a registry, or vendor a tarball of it (yarn pack) and depend on it with file:`,
      );
      continue;
    }
    const checksum = /^10c0\/([0-9a-f]{128})$/.exec(scalarText(pairOf(pair.value, "checksum")?.value) ?? "")?.[1];
    const conditions = conditionsOf(scalarText(pairOf(pair.value, "conditions")?.value));
    const version = scalarText(pairOf(pair.value, "version")?.value) ?? "";
    const url =
      protocol === "npm:" ? (params.get("__archiveUrl") ?? undefined) : /^https?:/.test(protocol) ? reference.split("::")[0]! : undefined;
    if (protocol !== "npm:" && url === undefined) {
      problems.push(
        `${where}: ${name}'s resolution ${JSON.stringify(redactUrls(reference))} is not one nixkit fetches (npm:, an http(s) tarball, workspace:, patch:, file:, portal:, link:)`,
      );
      continue;
    }
    if (!nixNameSafe(name, version)) {
      problems.push(
        `${where}: ${JSON.stringify(name)} at version ${JSON.stringify(version)} is not an npm package name and version Nix can store; run \`yarn install\` to rewrite the lockfile`,
      );
      continue;
    }
    if (url !== undefined && !/^https?:\/\/[^\s"\\]+$/.test(url)) {
      problems.push(
        `${where}: ${name}'s download ${JSON.stringify(redactUrls(url))} is not an http(s) URL nixkit can fetch; run \`yarn install\` to rewrite the lockfile`,
      );
      continue;
    }
    const source = url ?? version;
    // A checksum means yarn fetched it where the lockfile was written, whatever its conditions
    // (another platform's package that a patch: is made from, as fsevents is): fetched everywhere.
    if (checksum) {
      packages.add(
        [cacheFile(name, reference, checksum), name, source, `zip:sha512-${Buffer.from(checksum, "hex").toString("base64")}`].join(" "),
      );
      continue;
    }
    const installed = systems.filter((system) => conditions.hold(PLATFORMS[system] ?? {}));
    if (installed.length === 0) continue;
    if (url !== undefined) {
      problems.push(
        `${where}: ${name} has no checksum, so its download cannot be checked; run \`yarn install --refresh-lockfile\` to record one`,
      );
      continue;
    }
    // A platform package yarn skipped (another platform wrote the lockfile): checked by the registry's hash.
    packages.add([cacheFile(name, reference), name, source, integrityOf(`${name}@${version}`), ...conditions.words].join(" "));
  }
  if (problems.length > 0) throw new UserError(problems.join("\n"));
  const lockDir = path.dirname(file);
  for (const rel of [...members, ...localPaths]) {
    if (!path.resolve(lockDir, rel).startsWith(path.resolve(projectDir) + path.sep))
      throw new UserError(`${shown}: ${rel} is outside the project; nixkit builds only from inside it`);
  }
  return {
    packages: [...packages].sort(),
    members: [...members].sort(),
    localPaths: [...localPaths].sort(),
    linked: [...linked].sort(),
    linker: nodeLinker(projectDir, lockDir),
  };
}

/** The nodeLinker of the project's .yarnrc.yml (yarn's default: pnp). */
function nodeLinker(projectDir: string, lockDir: string): BerryLock["linker"] {
  const file = path.join(lockDir, ".yarnrc.yml");
  const shown = path.relative(process.cwd(), file) || file;
  const text = readTextInside(projectDir, file, "config", shown);
  if (text === undefined) return "pnp";
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const pair = pairOf(doc.contents, "nodeLinker");
  const linker = scalarText(pair?.value) ?? "pnp";
  if (linker === "pnp" || linker === "node-modules") return linker;
  const { line, col } = lines.linePos(pair?.value?.range?.[0] ?? 0);
  throw new UserError(
    linker === "pnpm"
      ? `${shown}:${line}:${col}: nodeLinker pnpm is not installed by nixkit yet (pnp, yarn's default, and node-modules are); set nodeLinker: node-modules`
      : `${shown}:${line}:${col}: nodeLinker ${JSON.stringify(linker)} is not one of yarn's (pnp, node-modules, pnpm)`,
  );
}

/** A local package's path relative to the lockfile's directory: yarn's are relative to the workspace that names them. */
function localPath(target: string, params: URLSearchParams): string {
  const workspace = /@workspace:(.*)$/.exec(params.get("locator") ?? "")?.[1] ?? ".";
  return path.posix.normalize(path.posix.join(workspace, decodeURIComponent(target)));
}

/** yarn's `conditions` ("os=linux & cpu=x64"): as words for Nix, and whether a platform meets them. */
function conditionsOf(text: string | undefined): { words: string[]; hold: (platform: Record<string, string>) => boolean } {
  if (!text) return { words: [], hold: () => true };
  const terms = text.split("&").map((t) => /^\s*(os|cpu|libc)=([A-Za-z0-9_-]+)\s*$/.exec(t));
  // A condition nixkit does not read (| or parentheses): fetched wherever it has a checksum.
  if (terms.some((t) => t === null)) return { words: [], hold: () => true };
  const pairs = terms.map((t) => [t![1]!, t![2]!] as const);
  return {
    words: pairs.map(([key, value]) => `${key}=${value}`),
    hold: (platform) => pairs.every(([key, value]) => platform[key] === undefined || platform[key] === value),
  };
}

/** The name yarn 4 gives a package's archive in its cache (Cache.getChecksumFilename / getVersionFilename). */
export function cacheFile(name: string, reference: string, checksum?: string): string {
  const [scope, bare] = name.startsWith("@") ? (name.slice(1).split("/") as [string, string]) : [null, name];
  const locatorHash = yarnHash(yarnHash(scope, bare), reference);
  const [, protocol, selector] = /^([^#:]*:)?((?:(?!::)[^#])*)/.exec(reference)!;
  const human = protocol ? protocol.replace(/:$/, "") : "exotic";
  const version = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(selector ?? "") ? selector : null;
  const slug = `${scope ? `@${scope}-${bare}` : bare}-${version ? `${human}-${version}` : human}-${locatorHash.slice(0, 10)}`;
  return `${slug}-${checksum ? checksum.slice(0, 10) : CACHE_KEY}.zip`;
}

// yarn's hashUtils.makeHash: sha512 of its non-null parts, concatenated.
function yarnHash(...parts: (string | null)[]): string {
  return createHash("sha512")
    .update(parts.filter((p) => p !== null).join(""))
    .digest("hex");
}
