// Reads a requirements file in which every requirement is pinned (==) and hashed (--hash, as
// `uv pip compile --generate-hashes` and `pip-compile --generate-hashes` write it) into a
// PythonLock (lock.ts): one root per line with its marker, the files found on the index by their
// hashes. The file is already the whole, flat set for one environment, so nothing has
// dependencies. Unpinned, unhashed, editable and URL requirements are refused at their line.
import path from "node:path";
import { readTextInside } from "../util/bounded-read.js";
import { sriOf } from "../util/hash.js";
import { UserError } from "../util/errors.js";
import { indexSettings, locateFiles, type IndexSettings } from "./index.js";
import { distributionKey, normalizeName, wheelMayInstall, type PythonLock } from "./lock.js";
import { parseMarker, type Marker } from "./markers.js";

export interface Requirement {
  name: string;
  version: string;
  marker: Marker | null;
  hashes: string[];
  /** file:line:col of the requirement. */
  at: string;
}

export interface RequirementsFile {
  requirements: Requirement[];
  index: Partial<IndexSettings>;
}

const FIX = "run `uv pip compile --generate-hashes` (or pip-compile --generate-hashes) to write a requirements file nixkit installs from";

/** `file` is relative to `projectDir`; included files (-r) are read too. */
export function parseRequirements(projectDir: string, file: string, seen = new Set<string>()): RequirementsFile {
  const full = path.resolve(projectDir, file);
  const shown = path.relative(projectDir, full);
  if (seen.has(full)) return { requirements: [], index: {} };
  seen.add(full);
  const text = readTextInside(projectDir, full, "lockfile", shown);
  if (text === undefined) throw new UserError(`${shown} does not exist; ${FIX}`);
  const problems: string[] = [];
  const result: RequirementsFile = { requirements: [], index: {} };
  // Logical lines: a trailing backslash continues a line; a comment starts at "#" after a space.
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i]!;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) line = line.replace(/\\\s*$/, " ") + lines[++i]!;
    line = line.replace(/(^|\s)#.*$/, "").trim();
    if (!line) continue;
    const at = `${shown}:${start}:1`;
    const option = /^(-[a-zA-Z]|--[a-z-]+)(?:[=\s]+(\S+))?/.exec(line);
    if (option) {
      const [, flag, value] = option;
      if (flag === "-i" || flag === "--index-url") result.index.index = value;
      else if (flag === "--extra-index-url") result.index.extra = [...(result.index.extra ?? []), value!];
      else if (flag === "-r" || flag === "--requirement") {
        const included = parseRequirements(projectDir, path.join(path.dirname(shown), value!), seen);
        result.requirements.push(...included.requirements);
        result.index = { ...included.index, ...result.index };
      } else if (flag === "-e" || flag === "--editable")
        problems.push(
          `${at}: ${value} is an editable requirement, which nixkit cannot fetch by a hash; list it without -e as a pinned, hashed release, or build it as one of the manifest's builds`,
        );
      else if (flag === "-f" || flag === "--find-links" || flag === "--no-index")
        problems.push(`${at}: ${flag} is not supported: nixkit fetches from an index (--index-url)`);
      // --require-hashes, --prefer-binary, --only-binary, --trusted-host, --pre, -c: nothing to do here.
      continue;
    }
    const hashes = [...line.matchAll(/--hash[=\s]+sha256:([0-9a-f]{64})/g)].map((m) => m[1]!);
    const requirement = line.replace(/\s--hash[=\s]+\S+/g, "").trim();
    const [spec = "", markerText] = requirement.split(/\s*;\s*/, 2);
    const pinned = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*===?\s*([^\s;,]+)$/.exec(spec);
    if (/ @ |^[a-z+]+:\/\/|^\.{0,2}\//.test(spec)) {
      problems.push(
        `${at}: ${spec.split(" @ ")[0]} is a URL or path requirement, which nixkit does not install; pin a release from the index (NAME==VERSION with --hash)`,
      );
      continue;
    }
    if (!pinned) {
      problems.push(`${at}: ${spec} is not pinned to one version (NAME==VERSION); ${FIX}`);
      continue;
    }
    if (hashes.length === 0) {
      problems.push(`${at}: ${pinned[1]}==${pinned[3]} has no --hash=sha256:…, so Nix could not check what it fetches; ${FIX}`);
      continue;
    }
    let marker: Marker | null = null;
    if (markerText) {
      try {
        marker = parseMarker(markerText);
      } catch (error) {
        problems.push(`${at}: ${(error as Error).message}`);
        continue;
      }
    }
    result.requirements.push({ name: normalizeName(pinned[1]!), version: pinned[3]!, marker, hashes, at });
  }
  if (problems.length > 0) throw new UserError(problems.join("\n"));
  return result;
}

/** The file's requirements with their files located on the index; `systems`: the manifest's. */
export async function readRequirementsLock(projectDir: string, file: string, systems: string[]): Promise<PythonLock> {
  const parsed = parseRequirements(projectDir, file);
  const distributions = await locatedDistributions(projectDir, parsed.requirements, parsed.index, systems, FIX);
  const roots = parsed.requirements.map((r) => ({ key: distributionKey(r.name, r.version), marker: r.marker, extras: [] }));
  return { distributions, roots, requiresPython: "" };
}

/**
 * Pinned, hashed requirements (a requirements file's, or a flat lock's such as poetry.lock's) as
 * distributions without dependencies, their files found on the index by their hashes; `fix`: what
 * a requirement none of whose files is found is told to do.
 */
export async function locatedDistributions(
  projectDir: string,
  requirements: Requirement[],
  index: Partial<IndexSettings>,
  systems: string[],
  fix: string,
): Promise<PythonLock["distributions"]> {
  const files = await locateFiles(indexSettings(projectDir, index), requirements);
  const distributions: PythonLock["distributions"] = {};
  const problems: string[] = [];
  for (const requirement of requirements) {
    const located = requirement.hashes.flatMap((hash) => {
      const found = files.get(hash);
      return found ? [{ ...found, line: `${found.filename} ${found.url} ${sriOf(hash)}` }] : [];
    });
    if (located.length === 0) {
      problems.push(
        `${requirement.at}: no file of ${requirement.name}==${requirement.version} on the index has one of its hashes; check the index (PIP_INDEX_URL, --index-url) or ${fix}`,
      );
      continue;
    }
    const wheels = located.filter((f) => f.filename.endsWith(".whl")).sort((a, b) => (a.filename < b.filename ? -1 : 1));
    const sdist = located.find((f) => !f.filename.endsWith(".whl"));
    distributions[distributionKey(requirement.name, requirement.version)] = {
      name: requirement.name,
      version: requirement.version,
      wheels: wheels.filter((f) => wheelMayInstall(f.filename, systems)).map((f) => f.line),
      sdist: sdist?.line ?? null,
      dependencies: [],
      extras: {},
      installs: true,
    };
  }
  if (problems.length > 0) throw new UserError(problems.join("\n"));
  return distributions;
}
