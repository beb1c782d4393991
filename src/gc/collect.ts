// nixkit gc: which generations of the project's roots the policy drops, dropping them, and the
// Nix store GC afterwards. The newest generation of every root is never dropped.
import type { NixDriver } from "../nix/driver.js";
import { allRoots, dropGeneration, sweepTemporaryRoots, type Generation } from "../roots/registry.js";
import { estimateFreed } from "./estimate.js";
import { generationsToDrop } from "./policy.js";

export interface GcPlan {
  drop: Generation[];
  /** What a store GC would free once they are dropped. */
  estimate: { paths: number; bytes: number };
}

export async function planGc(
  driver: NixDriver,
  projectDir: string,
  keep: number,
  keepSinceMs: number,
  nowMs = Date.now(),
): Promise<GcPlan> {
  const drop = allRoots(projectDir).flatMap((generations) => generationsToDrop(generations, keep, keepSinceMs, nowMs));
  const estimate = await estimateFreed(
    driver.store,
    drop.flatMap((g) => g.links),
    drop.flatMap((g) => g.storePaths),
  );
  return { drop, estimate };
}

/** Drops the planned generations; with `store`, then runs Nix's GC and returns its summary. */
export async function applyGc(driver: NixDriver, plan: GcPlan, store: boolean): Promise<string | undefined> {
  for (const generation of plan.drop) await dropGeneration(generation);
  sweepTemporaryRoots();
  return store ? driver.collectGarbage() : undefined;
}
