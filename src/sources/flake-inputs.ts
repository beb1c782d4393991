// The flake's local inputs: a --nixpkgs override or a `path` input in flake.lock that names a
// directory on this machine, which Nix reads again on every evaluation. Node builtins only (the
// warm shell path fingerprints them).
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { IMMUTABLE_MARKER } from "../state/layout.js";
import { readTextInside } from "../util/bounded-read.js";

/** The directory of a local flake ref (path:/x, /x, ./x, git+file:///x), or undefined for remote refs. */
export function localPathOf(ref: string, base: string): string | undefined {
  const withoutQuery = ref.replace(/[?#].*$/, "");
  const match = withoutQuery.match(/^(?:path:|git\+file:\/\/)(.*)$/) ?? withoutQuery.match(/^(\.{0,2}\/.*)$/);
  if (!match) return undefined;
  return path.resolve(base, decodeURIComponent(match[1]!));
}

/** Local `path` inputs recorded in flake.lock: Nix re-reads them on every evaluation. */
export function lockedLocalInputs(projectDir: string): string[] {
  try {
    const lock = JSON.parse(readTextInside(projectDir, path.join(projectDir, "flake.lock"), "generated") ?? "") as {
      nodes: Record<string, { original?: { type?: string; path?: string } }>;
    };
    return Object.values(lock.nodes)
      .filter((n) => n.original?.type === "path" && n.original.path)
      .map((n) => path.resolve(projectDir, n.original!.path!))
      .sort();
  } catch {
    return [];
  }
}

/**
 * Names, sizes and mtimes of every file below dir (VCS data skipped): cheap, and changes on any
 * edit; or, for a directory nixkit never changes, its IMMUTABLE_MARKER.
 */
export function treeFingerprint(dir: string): string {
  const marker = immutableMarker(dir);
  if (marker !== undefined) return `immutable:${marker}`;
  const parts: string[] = [];
  const walk = (current: string, rel: string) => {
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      parts.push(`${rel}:unreadable`);
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name === ".git" || entry.name === ".hg") continue;
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full, `${rel}${entry.name}/`);
      else {
        const stat = statSync(full, { throwIfNoEntry: false });
        parts.push(`${rel}${entry.name}:${stat?.size}:${stat?.mtimeMs}`);
      }
    }
  };
  walk(dir, "");
  return parts.join("\n");
}

/** The IMMUTABLE_MARKER of a directory nixkit wrote once (the offline package set), or undefined for any other. */
export function immutableMarker(dir: string): string | undefined {
  try {
    return readFileSync(path.join(dir, IMMUTABLE_MARKER), "utf8");
  } catch {
    return undefined;
  }
}
