// Which store paths go in which layer: a pure function of the closure graph. Every path in
// exactly one layer; the paths most depended upon get their own layers at the bottom (shared
// between images and stable across app changes); small and rarely shared paths are merged;
// the customisation layer (the image root) comes last (checklist 1-5).

export interface ClosurePath {
  path: string;
  narHash: string;
  narSize: number;
  references: string[];
}

export interface StoreLayer {
  paths: string[];
}

/** Paths smaller than this never get a layer of their own: a layer costs a request and a tar. */
export const SMALL_PATH_BYTES = 64 * 1024;

const nameOf = (storePath: string) => storePath.replace(/^\/nix\/store\/[0-9a-z]{32}-/, "");

/**
 * @param storeLayerBudget layers available to store paths (the image's maxLayers less the
 *   customisation layer)
 */
export function planLayers(closure: ClosurePath[], storeLayerBudget: number): StoreLayer[] {
  if (storeLayerBudget < 1) throw new Error("planLayers: no layer left for store paths");
  const popularity = referrerCounts(closure);
  const ranked = [...closure].sort(
    (a, b) =>
      popularity.get(b.path)! - popularity.get(a.path)! ||
      b.narSize - a.narSize ||
      (nameOf(a.path) < nameOf(b.path) ? -1 : nameOf(a.path) > nameOf(b.path) ? 1 : 0) ||
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
  // The largest-ranked paths alone; everything else (small or over budget) merged into one layer.
  const large = ranked.filter((item) => item.narSize >= SMALL_PATH_BYTES);
  let alone = large.slice(0, storeLayerBudget - 1);
  let merged = ranked.filter((item) => !alone.includes(item));
  if (merged.length === 1 && alone.length < storeLayerBudget) [alone, merged] = [[...alone, merged[0]!], []];
  const layers = alone.map((item) => ({ paths: [item.path] }));
  if (merged.length > 0) layers.push({ paths: merged.map((m) => m.path).sort() });
  assertPartition(closure, layers);
  return layers;
}

/** How many closure paths reach each path through references (itself excluded). */
function referrerCounts(closure: ClosurePath[]): Map<string, number> {
  const byPath = new Map(closure.map((c) => [c.path, c]));
  const counts = new Map(closure.map((c) => [c.path, 0]));
  for (const start of closure) {
    const seen = new Set<string>();
    const stack = start.references.filter((r) => r !== start.path);
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (seen.has(next) || !byPath.has(next)) continue;
      seen.add(next);
      counts.set(next, counts.get(next)! + 1);
      for (const r of byPath.get(next)!.references) if (r !== next) stack.push(r);
    }
  }
  return counts;
}

function assertPartition(closure: ClosurePath[], layers: StoreLayer[]): void {
  const placed = layers.flatMap((l) => l.paths);
  const unique = new Set(placed);
  if (unique.size !== placed.length || unique.size !== closure.length || closure.some((c) => !unique.has(c.path))) {
    throw new Error("planLayers: layers do not cover the closure exactly once");
  }
}
