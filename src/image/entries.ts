// Turns trees on disk into sorted tar entries: depth first, parents before children, children
// in byte-wise name order, every ancestor directory explicit (checklist 6, 7, 9, 10).
import { createReadStream, lstatSync, readdirSync, readlinkSync, type Stats } from "node:fs";
import path from "node:path";
import { WorkFailed } from "../util/errors.js";
import type { TarEntry } from "./tar.js";

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Entries for `source` placed at `destination` (a relative path in the image). */
export function* treeEntries(source: string, destination: string): Generator<TarEntry> {
  const stat = lstatSync(source);
  yield entryFor(source, destination, stat);
  if (stat.isDirectory()) {
    for (const name of readdirSync(source, { encoding: "buffer" })
      .map((n) => utf8Name(source, n))
      .sort(byteOrder)) {
      yield* treeEntries(path.join(source, name), `${destination}/${name}`);
    }
  }
}

function entryFor(source: string, destination: string, stat: Stats): TarEntry {
  if (stat.isSymbolicLink()) return { type: "symlink", path: destination, target: readlinkSync(source) };
  if (stat.isDirectory()) return { type: "dir", path: destination, mode: stat.mode & 0o777 };
  if (stat.isFile()) {
    // Hardlinked store files (auto-optimise-store) come out as plain files: no link entries.
    return { type: "file", path: destination, mode: stat.mode & 0o777, size: stat.size, content: () => createReadStream(source) };
  }
  throw new Error(`image: ${source} is not a file, directory or symlink; images carry no device nodes or sockets`);
}

// Image paths are UTF-8 (PAX `path` records); a name that is not would be written as a different name.
export function utf8Name(dir: string, name: Buffer): string {
  const text = name.toString("utf8");
  if (!Buffer.from(text, "utf8").equals(name)) {
    throw new WorkFailed(
      `image: ${dir}/ has an entry whose name is not UTF-8 (${JSON.stringify(name.toString("latin1"))}); rename it in the build that makes it`,
    );
  }
  return text;
}

/** The directories above `paths` that an entry list must state first (e.g. nix, nix/store). */
export function ancestorDirs(paths: string[], mode: number): TarEntry[] {
  const dirs = new Set<string>();
  for (const p of paths) {
    const parts = p.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  return [...dirs].sort(byteOrder).map((dir) => ({ type: "dir", path: dir, mode }));
}

/** Entries for store paths, with nix/ and nix/store/ first. */
export function* storeEntries(storePaths: string[]): Generator<TarEntry> {
  const sorted = [...storePaths].sort(byteOrder);
  // The store directory itself is read-only for everyone but root: like in the Nix store.
  yield* ancestorDirs(
    sorted.map((p) => p.slice(1)),
    0o555,
  );
  for (const storePath of sorted) yield* treeEntries(storePath, storePath.slice(1));
}

/** Merges sorted entry lists into one, keeping parents before children and names in byte order. */
export function sortEntries(entries: TarEntry[]): TarEntry[] {
  const key = (e: TarEntry) => e.path.split("/");
  return [...entries].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      const c = byteOrder(ka[i]!, kb[i]!);
      if (c !== 0) return c;
    }
    return ka.length - kb.length;
  });
}
