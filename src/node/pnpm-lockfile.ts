// Reads a pnpm-lock.yaml (lockfileVersion 9.0, as pnpm 9 and 10 write it, or 6.0, pnpm 8's) into
// what the Nix library fetches (nix/lib/pnpm.nix): each package pnpm downloads from a registry,
// by name, version and integrity, with the platforms it installs on; the workspace's members;
// the local files the install reads (patches, file: directories and tarballs). A lockfile nixkit
// cannot install from gets an error at its line and column with the fix: another version, a git
// dependency, a remote tarball, a package without a usable integrity hash.
import path from "node:path";
import { isMap, isScalar, type Node } from "yaml";
import { readTextInside } from "../util/bounded-read.js";
import { UserError } from "../util/errors.js";
import { redactUrls } from "../util/redact.js";
import { nixNameSafe, strongestIntegrity } from "./lockfile.js";
import { keyOf, mapItems, pairOf, parseLockYaml, scalarText } from "./yaml-nodes.js";

export interface PnpmLock {
  lockfileVersion: string;
  /** "NAME VERSION HASH[ os=A,B][ cpu=A,B][ libc=A]" per registry package, sorted: one line of flake.nix each. */
  packages: string[];
  /** Importers other than the lockfile's own directory, relative to it. */
  members: string[];
  /** Files and directories of the project the install reads, relative to the lockfile's directory. */
  localPaths: string[];
  /** Directories that importers' link: dependencies point to, other than members, relative to it. */
  linked: string[];
}

const VERSIONS = ["9.0", "6.0"];

/** `lockfile` is relative to the project. */
export function readPnpmLock(projectDir: string, lockfile: string): PnpmLock {
  const file = path.join(projectDir, lockfile);
  const shown = path.relative(process.cwd(), file) || file;
  const text = readTextInside(projectDir, file, "lockfile", shown);
  if (text === undefined) throw new UserError(`${shown} does not exist; run \`pnpm install\` in ${path.dirname(lockfile)} to create it`);
  const { doc, at } = parseLockYaml(text, shown, "pnpm install");
  const version = pairOf(doc.contents, "lockfileVersion");
  const versionText = isScalar(version?.value) ? String(version.value.value) : undefined;
  if (!versionText || !VERSIONS.includes(versionText))
    throw new UserError(
      `${at((version?.value ?? doc.contents) as Node)}: lockfileVersion ${versionText ?? "(none)"} is not a pnpm lockfile nixkit installs from (9.0, written by pnpm 9 and 10, or 6.0, by pnpm 8); run \`pnpm install\` with pnpm 9 or later to rewrite it`,
    );
  const problems: string[] = [];
  const packages = new Set<string>();
  const localPaths = new Set<string>();
  for (const pair of mapItems(pairOf(doc.contents, "packages")?.value)) {
    const key = keyOf(pair);
    const entry = pair.value;
    const { name, version: pkgVersion } = splitKey(versionText === "6.0" ? key.replace(/^\//, "").replace(/\(.*$/, "") : key);
    const resolution = isMap(entry) ? (pairOf(entry, "resolution")?.value as Node | undefined) : undefined;
    const field = (n: string) => scalarText(pairOf(resolution, n)?.value);
    const where = at((resolution ?? pair.key) as Node);
    if (!isMap(resolution)) {
      problems.push(`${where}: ${key} has no resolution; run \`pnpm install\` to rewrite the lockfile`);
    } else if (field("type") === "git" || field("repo") !== undefined || field("commit") !== undefined) {
      problems.push(
        `${where}: ${name} is a git dependency (${redactUrls(field("repo") ?? key)}); Nix fetches pnpm's packages by the lockfile's integrity hash, which git dependencies lack: publish it to a registry, or depend on a tarball of it (pnpm pack) with file:`,
      );
    } else if (field("type") === "directory" || field("directory") !== undefined) {
      localPaths.add(path.posix.normalize(field("directory") ?? ""));
    } else if (field("tarball")?.startsWith("file:")) {
      localPaths.add(path.posix.normalize(field("tarball")!.slice("file:".length)));
    } else if (field("tarball") !== undefined) {
      problems.push(
        `${where}: ${name} is downloaded from ${redactUrls(field("tarball")!)}, not from a registry; nixkit serves pnpm only registry packages in the sandbox: publish it to a registry, or vendor the tarball into the project and depend on it with file:`,
      );
    } else {
      const integrity = strongestIntegrity(field("integrity") ?? "");
      if ("error" in integrity)
        problems.push(
          `${where}: ${name}@${pkgVersion}: ${field("integrity") === undefined ? "no integrity hash, so its download cannot be checked" : integrity.error}; run \`pnpm store prune && pnpm install --force\` to record a sha512 one`,
        );
      else if (!nixNameSafe(name, pkgVersion))
        problems.push(
          `${at(pair.key as Node)}: ${JSON.stringify(name)} at version ${JSON.stringify(pkgVersion)} is not an npm package name and version Nix can store (letters, digits, + . _ - only); run \`pnpm install\` to rewrite the lockfile`,
        );
      else packages.add([name, pkgVersion, integrity.hash, ...platforms(entry as Node)].join(" "));
    }
  }
  if (problems.length > 0) throw new UserError(problems.join("\n"));
  for (const pair of mapItems(pairOf(doc.contents, "patchedDependencies")?.value)) {
    const patch = isMap(pair.value) ? scalarText(pairOf(pair.value, "path")?.value) : undefined;
    if (patch) localPaths.add(path.posix.normalize(patch));
  }
  const importers = mapItems(pairOf(doc.contents, "importers")?.value);
  const members = importers
    .map(keyOf)
    .filter((key) => key !== ".")
    .map((key) => path.posix.normalize(key));
  // pnpm 8 writes a single project's dependencies at the top, without importers.
  const linked = linkedDirectories(importers.length > 0 ? importers.map((i) => [keyOf(i), i.value]) : [[".", doc.contents]], members);
  const lockDir = path.dirname(file);
  for (const rel of [...members, ...localPaths, ...linked]) {
    if (!path.resolve(lockDir, rel).startsWith(path.resolve(projectDir) + path.sep))
      throw new UserError(`${shown}: ${rel} is outside the project; nixkit builds only from inside it`);
  }
  return {
    lockfileVersion: versionText,
    packages: [...packages].sort(),
    members: members.sort(),
    localPaths: [...localPaths].sort(),
    linked,
  };
}

/**
 * Where importers' `link:` dependencies point, relative to the lockfile's directory, other than
 * the workspace's own members: pnpm makes them relative symlinks, which the install's output
 * must resolve (it keeps their package.json, as it does the members').
 */
function linkedDirectories(importers: [string, unknown][], members: string[]): string[] {
  const found = new Set<string>();
  for (const [importer, entry] of importers) {
    for (const section of ["dependencies", "devDependencies", "optionalDependencies"])
      for (const dependency of mapItems(pairOf(entry, section)?.value)) {
        const version = isMap(dependency.value) ? scalarText(pairOf(dependency.value, "version")?.value) : undefined;
        if (!version?.startsWith("link:")) continue;
        const target = path.posix.normalize(path.posix.join(importer, version.slice("link:".length)));
        if (target !== "." && !members.includes(target)) found.add(target);
      }
  }
  return [...found].sort();
}

/** pnpm's os, cpu and libc lists of a package, as "os=linux,darwin" words. */
function platforms(entry: Node): string[] {
  return ["os", "cpu", "libc"].flatMap((field) => {
    const value = pairOf(entry, field)?.value as { items?: unknown[] } | undefined;
    const items = (value?.items ?? []).map((item) => scalarText(item)).filter((v): v is string => !!v && /^!?[A-Za-z0-9_-]+$/.test(v));
    return items.length > 0 ? [`${field}=${items.join(",")}`] : [];
  });
}

/** "@scope/name@1.0.0" → name and version (the last "@" that is not the first character). */
export function splitKey(key: string): { name: string; version: string } {
  const at = key.indexOf("@", 1);
  return at < 0 ? { name: key, version: "" } : { name: key.slice(0, at), version: key.slice(at + 1) };
}
