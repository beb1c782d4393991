// What a store GC would free if some roots were dropped: the paths that are dead already plus
// the closure of the dropped roots, less everything still reachable from the other roots.
import type { NixDriver } from "../nix/driver.js";

export async function estimateFreed(
  driver: NixDriver,
  droppedLinks: string[],
  droppedPaths: string[],
): Promise<{ paths: number; bytes: number }> {
  const dropped = new Set(droppedLinks);
  const keptRoots = new Set<string>();
  for (const line of (await driver.nixStore(["--gc", "--print-roots"])).split("\n")) {
    const match = line.match(/^(.*) -> (\/nix\/store\/\S+)$/);
    if (match && !dropped.has(match[1]!)) keptRoots.add(match[2]!);
  }
  // Roots can point at paths that are not valid (yet): a build in progress holds temp roots on them.
  const requisites = async (paths: string[]) => {
    const valid = [...(await driver.validPaths(paths))];
    return valid.length === 0 ? [] : (await driver.nixStore(["--query", "--requisites", ...valid])).split("\n").filter(Boolean);
  };
  const live = new Set(await requisites([...keptRoots]));
  const deadNow = (await driver.nixStore(["--gc", "--print-dead"])).split("\n").filter(Boolean);
  const candidates = [...new Set([...deadNow, ...(await requisites(droppedPaths))])].filter((p) => !live.has(p));
  if (candidates.length === 0) return { paths: 0, bytes: 0 };
  const sizes = await driver.narSizes(candidates);
  return { paths: candidates.length, bytes: [...sizes.values()].reduce((a, b) => a + b, 0) };
}
