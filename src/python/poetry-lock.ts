// Reads a poetry.lock of lock-version 2.1 (Poetry 2) into a PythonLock (lock.ts). Such a lock is
// the whole resolved set, each package with the dependency groups it is in and the markers under
// which it installs, so, like a hashed requirements file, it is flat: the "main" group's packages
// are the roots, every other group's are that group. Its files have hashes but no addresses: they
// are found on the index by their hashes (the user's pip/uv index, and the lock's and
// pyproject.toml's own sources). What Nix cannot fetch by a hash (git, local paths, URLs) is refused
// at its line with the fix.
import path from "node:path";
import { parse } from "smol-toml";
import { readTextInside } from "../util/bounded-read.js";
import { UserError } from "../util/errors.js";
import { redactUrls } from "../util/redact.js";
import { arrayHeaderLines, isTable, parseToml, text } from "../util/toml.js";
import type { IndexSettings } from "./index.js";
import { distributionKey, normalizeName, type PythonDependency, type PythonLock } from "./lock.js";
import { parseMarker, type Marker } from "./markers.js";
import { locatedDistributions, type Requirement } from "./requirements.js";

export interface PoetryLock extends PythonLock {
  /** The dependency groups other than "main", by name: the packages each adds. */
  groups: Record<string, PythonDependency[]>;
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

const FIX = "run `poetry lock` with Poetry 2 to write it again";

/** Poetry's version constraint for Python as PEP 440 specifiers ("" when it has no simple equivalent). */
export function poetryPythonConstraint(constraint: string): string {
  if (/\|\|/.test(constraint) || constraint.trim() === "*") return "";
  return constraint
    .split(",")
    .map((part) => {
      const c = part.trim();
      const caret = /^\^(\d+)(?:\.(\d+))?/.exec(c);
      if (caret) return `>=${caret[1]}${caret[2] ? `.${caret[2]}` : ""},<${Number(caret[1]) + 1}`;
      const tilde = /^~(\d+)\.(\d+)/.exec(c);
      if (tilde) return `>=${tilde[1]}.${tilde[2]},<${tilde[1]}.${Number(tilde[2]) + 1}`;
      return c;
    })
    .join(",");
}

/** The package sources pyproject.toml names for Poetry ([[tool.poetry.source]]): extra indexes to look in. */
function pyprojectSources(projectDir: string, lockfile: string): string[] {
  const shown = path.posix.join(path.posix.dirname(lockfile), "pyproject.toml");
  const pyproject = readTextInside(projectDir, path.join(projectDir, shown), "lockfile", shown);
  if (!pyproject) return [];
  try {
    const tool = (parse(pyproject) as { tool?: { poetry?: { source?: unknown } } }).tool;
    const sources = Array.isArray(tool?.poetry?.source) ? tool.poetry.source.filter(isTable) : [];
    return sources.map((s) => text(s.url)).filter((u): u is string => u !== undefined);
  } catch {
    return [];
  }
}

/** `lockfile` is relative to `projectDir`; `systems`: the manifest's. */
export async function readPoetryLock(projectDir: string, lockfile: string, systems: string[]): Promise<PoetryLock> {
  const lockText = readTextInside(projectDir, path.join(projectDir, lockfile), "lockfile", lockfile);
  if (lockText === undefined)
    throw new UserError(`${lockfile} does not exist; run \`poetry lock\` in ${path.posix.dirname(lockfile)} to create it`);
  const lock = parseToml(lockText, lockfile, FIX);
  const metadata = isTable(lock.metadata) ? lock.metadata : {};
  const version = text(metadata["lock-version"]) ?? "";
  const [major, minor] = version.split(".").map(Number);
  if (major !== 2 || !minor || minor < 1)
    throw new UserError(
      `${lockfile}: lock-version ${version || "(none)"} ${
        major === 2 ? "(Poetry 1) does not record the groups and markers of each package" : "is not one nixkit reads"
      }; run \`poetry lock\` with Poetry 2 to rewrite it as 2.1 (the locked versions stay), or export it (\`poetry export --with dev -f requirements.txt -o requirements.txt\`)`,
    );
  const headers = arrayHeaderLines(lockText, "package");
  const problems: string[] = [];
  const requirements: Requirement[] = [];
  const members: { key: string; group: string; marker: Marker | null }[] = [];
  const extraIndexes = new Set(pyprojectSources(projectDir, lockfile));
  const packages = Array.isArray(lock.package) ? lock.package : [];
  packages.forEach((entry, i) => {
    if (!isTable(entry)) return;
    const at = `${lockfile}:${headers[i] ?? 1}:1`;
    const name = normalizeName(text(entry.name) ?? "?");
    const pinned = text(entry.version) ?? "?";
    // A package only an extra of the project asks for: not installed (extras are not selected here).
    if (entry.optional === true) return;
    const source = isTable(entry.source) ? entry.source : undefined;
    if (source && text(source.type) !== "legacy") {
      problems.push(
        `${at}: ${name} ${pinned} comes from a ${text(source.type) ?? "?"} source (${redactUrls(text(source.url) ?? "")}), which nixkit cannot fetch by a hash; depend on a release from an index`,
      );
      return;
    }
    if (source) extraIndexes.add(text(source.url) ?? "");
    const hashes = (Array.isArray(entry.files) ? entry.files.filter(isTable) : [])
      .map((f) => /^sha256:([0-9a-f]{64})$/.exec(text(f.hash) ?? "")?.[1])
      .filter((h): h is string => h !== undefined);
    if (hashes.length === 0) {
      problems.push(`${at}: ${name} ${pinned} lists no file with a sha256 hash; ${FIX}`);
      return;
    }
    const groups = strings(entry.groups);
    // markers: one for every group, or a table of them by group.
    const markerOf = (group: string): Marker | null => {
      const markers = entry.markers;
      const raw = isTable(markers) ? text(markers[group]) : text(markers);
      if (!raw) return null;
      try {
        return parseMarker(raw);
      } catch (error) {
        problems.push(`${at}: ${name} ${pinned}: ${(error as Error).message}`);
        return null;
      }
    };
    requirements.push({ name, version: pinned, marker: null, hashes, at });
    for (const group of groups.length > 0 ? groups : ["main"])
      members.push({ key: distributionKey(name, pinned), group, marker: markerOf(group) });
  });
  if (problems.length > 0) throw new UserError(problems.join("\n"));
  const distributions = await locatedDistributions(
    projectDir,
    requirements,
    { extra: [...extraIndexes].filter(Boolean) } as Partial<IndexSettings>,
    systems,
    FIX,
  );
  const roots: PythonDependency[] = [];
  const groups: Record<string, PythonDependency[]> = {};
  for (const { key, group, marker } of members) {
    const edge = { key, marker, extras: [] };
    if (group === "main") roots.push(edge);
    else (groups[group] ??= []).push(edge);
  }
  return { distributions, roots, groups, requiresPython: poetryPythonConstraint(text(metadata["python-versions"]) ?? "") };
}
