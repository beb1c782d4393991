// Reads a uv.lock (version 1, as uv 0.5 and later write it) into a PythonLock (lock.ts): every
// registry distribution with its wheels and sdist (URL and sha256 from the lock itself), the graph
// with its markers, the project (or the workspace's members) as roots and its dependency groups.
// What Nix cannot fetch by a hash (git, local files) is refused at its line with the fix.
import { sriOf } from "../util/hash.js";
import { UserError } from "../util/errors.js";
import { redactUrls } from "../util/redact.js";
import { isTable, parseToml, tables, text, type Table } from "../util/toml.js";
import { distributionKey, escapeRegExp, lineOf, normalizeName, wheelMayInstall, type PythonDependency, type PythonLock } from "./lock.js";
import { parseMarker } from "./markers.js";

export interface UvLock extends PythonLock {
  /** The project's dependency groups (uv's [dependency-groups]), by name. */
  groups: Record<string, PythonDependency[]>;
}

/** `shown`: the lockfile's path as messages name it; `systems`: the manifest's (wheels for others are left out). */
export function readUvLock(lockText: string, shown: string, systems: string[]): UvLock {
  const lock = parseToml(lockText, shown, "run `uv lock` to rewrite it");
  if (lock.version !== 1)
    throw new UserError(
      `${shown}:${lineOf(lockText, /^version\s*=/)}:1: uv.lock version ${String(lock.version ?? "(none)")} is not one nixkit reads (1, written by uv 0.5 and later); run \`uv lock\` with a current uv to rewrite it`,
    );
  const packages = tables(lock.package);
  const problems: string[] = [];
  const lineOfPackage = (name: string, version: string) => {
    const nameLine = lineOf(lockText, new RegExp(`^name = "${escapeRegExp(name)}"$`));
    return lineOf(lockText, new RegExp(`^version = "${escapeRegExp(version)}"$`), nameLine);
  };
  const byName = new Map<string, Table[]>();
  for (const pkg of packages) {
    const name = normalizeName(text(pkg.name) ?? "");
    byName.set(name, [...(byName.get(name) ?? []), pkg]);
  }
  const edge = (dep: Table, from: string): PythonDependency | undefined => {
    const name = text(dep.name) ?? "";
    const candidates = (byName.get(normalizeName(name)) ?? []).filter((p) => dep.version === undefined || p.version === dep.version);
    const target = candidates[0];
    if (!target || candidates.length > 1) {
      problems.push(
        `${shown}: ${from} depends on ${name}${dep.version ? ` ${String(dep.version)}` : ""}, which the lock does not have once; run \`uv lock\` to rewrite it`,
      );
      return undefined;
    }
    let marker = null;
    if (text(dep.marker)) {
      try {
        marker = parseMarker(text(dep.marker)!);
      } catch (error) {
        problems.push(`${shown}: ${from}'s dependency ${name}: ${(error as Error).message}`);
      }
    }
    const extras = Array.isArray(dep.extra) ? dep.extra.filter((e): e is string => typeof e === "string") : [];
    return { key: distributionKey(String(target.name), String(target.version)), marker, extras };
  };
  const edges = (list: unknown, from: string) => tables(list).flatMap((dep) => edge(dep, from) ?? []);

  const distributions: UvLock["distributions"] = {};
  const rootKeys: string[] = [];
  let groups: Record<string, PythonDependency[]> = {};
  for (const pkg of packages) {
    const name = text(pkg.name) ?? "";
    const version = text(pkg.version) ?? "0";
    const key = distributionKey(name, version);
    const source = isTable(pkg.source) ? pkg.source : {};
    const where = `${shown}:${lineOfPackage(name, version)}:1`;
    const local = source.editable ?? source.virtual;
    if (source.git !== undefined) {
      problems.push(
        `${where}: ${name} is a git dependency (${redactUrls(String(source.git))}); Nix fetches Python distributions by the lock's sha256, which git sources lack: depend on a released version, or on a wheel or sdist URL (uv adds its hash)`,
      );
      continue;
    }
    if (source.path !== undefined || source.directory !== undefined) {
      problems.push(
        `${where}: ${name} comes from a local ${source.path !== undefined ? "file" : "directory"} (${String(source.path ?? source.directory)}), which nixkit does not install yet; make it a workspace member (editable) or publish it to an index`,
      );
      continue;
    }
    const file = (entry: Table, kind: string): string | undefined => {
      const url = text(entry.url);
      const hash = /^sha256:([0-9a-f]{64})$/.exec(text(entry.hash) ?? "")?.[1];
      if (!url || !hash) {
        problems.push(
          `${where}: ${name} ${version} has a ${kind} without a URL and sha256 hash; run \`uv lock\` with a current uv to rewrite the lock`,
        );
        return undefined;
      }
      const filename = decodeURIComponent(new URL(url).pathname.split("/").pop() ?? "");
      return `${filename} ${url} ${sriOf(hash)}`;
    };
    const wheels = tables(pkg.wheels).flatMap((wheel) => file(wheel, "wheel") ?? []);
    distributions[key] = {
      name: normalizeName(name),
      version,
      wheels: wheels.filter((line) => wheelMayInstall(line.split(" ")[0]!, systems)),
      sdist: isTable(pkg.sdist) ? (file(pkg.sdist, "sdist") ?? null) : null,
      dependencies: edges(pkg.dependencies, name),
      extras: Object.fromEntries(
        Object.entries(isTable(pkg["optional-dependencies"]) ? pkg["optional-dependencies"] : {}).map(([extra, list]) => [
          extra,
          edges(list, `${name}[${extra}]`),
        ]),
      ),
      installs: local === undefined,
    };
    if (local === ".") {
      rootKeys.push(key);
      const devDependencies = isTable(pkg["dev-dependencies"]) ? pkg["dev-dependencies"] : {};
      groups = Object.fromEntries(Object.entries(devDependencies).map(([group, list]) => [group, edges(list, `${name} (group ${group})`)]));
    }
  }
  // A workspace without a root project: its members, as `uv sync --all-packages` installs them.
  if (rootKeys.length === 0) {
    const members = isTable(lock.manifest) && Array.isArray(lock.manifest.members) ? lock.manifest.members.map(String) : [];
    for (const member of members) {
      const found = byName.get(normalizeName(member))?.[0];
      if (found) rootKeys.push(distributionKey(String(found.name), String(found.version)));
    }
  }
  if (problems.length > 0) throw new UserError(problems.join("\n"));
  if (rootKeys.length === 0)
    throw new UserError(
      `${shown}:1:1: the lock names no project (a package whose source is "." or a workspace member); run \`uv lock\` in the project`,
    );
  return {
    distributions,
    roots: rootKeys.map((key) => ({ key, marker: null, extras: [] })),
    groups,
    requiresPython: text(lock["requires-python"]) ?? "",
  };
}
