// What a store GC would free if some roots were dropped: the paths that are dead already plus
// the closure of the dropped roots, less everything still reachable from the other roots.
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
  if (candidates.length === 0) return { paths: 0, bytes: 0 };
  const sizes = await store.narSizes(candidates);
  return { paths: candidates.length, bytes: [...sizes.values()].reduce((a, b) => a + b, 0) };
}
