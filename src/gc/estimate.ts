// What a store GC would free if some roots were dropped: the paths that are dead already plus
// the closure of the dropped roots, less everything still reachable from the other roots.
import { lstatSync, readdirSync } from "node:fs";
import path from "node:path";
import type { NixStoreQueries } from "../nix/store.js";

export async function estimateFreed(
  store: NixStoreQueries,
  droppedLinks: string[],
  droppedPaths: string[],
): Promise<{ paths: number; bytes: number }> {
  const dropped = new Set(droppedLinks);
  const keptRoots = new Set((await store.gcRoots()).filter((r) => !dropped.has(r.link)).map((r) => r.storePath));
  // Roots can point at paths that are not valid (yet): a build in progress holds temp roots on them.
  const requisites = async (paths: string[]) => store.requisites([...(await store.validPaths(paths))]);
  const live = new Set(await requisites([...keptRoots]));
  const deadNow = await store.deadPaths();
  const candidates = [...new Set([...deadNow, ...(await requisites(droppedPaths))])].filter((p) => !live.has(p));
  return { paths: candidates.length, bytes: candidates.reduce((sum, p) => sum + bytesFreedByDeleting(p), 0) };
}

// Counted the way Nix counts what its GC frees (deletePath in libutil): the size of every file and
// symlink with one link, or two (a file the store optimiser shares with .links); not directories.
// NAR sizes would count NAR framing too, which is most of a small file's NAR.
function bytesFreedByDeleting(file: string): number {
  let stat;
  try {
    stat = lstatSync(file);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.nlink <= 2 ? stat.size : 0;
  let total = 0;
  for (const name of readdirSync(file)) total += bytesFreedByDeleting(path.join(file, name));
  return total;
}
