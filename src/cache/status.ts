// How much of each of the project's closures a binary cache lacks.
import type { NixDriver } from "../nix/driver.js";
import { knownRoots, type ClosureKind } from "../roots/registry.js";

export interface ClosureStatus {
  kind: ClosureKind;
  paths: number;
  missing: number;
  missingBytes: number;
}

export async function cacheStatus(driver: NixDriver, projectDir: string, url: string, kinds: ClosureKind[]): Promise<ClosureStatus[]> {
  const report: ClosureStatus[] = [];
  for (const [kind, roots] of knownRoots(projectDir, kinds)) {
    const closure = await driver.store.requisites(roots);
    const inCache = await driver.store.validPaths(closure, url);
    const missing = closure.filter((p) => !inCache.has(p));
    const sizes = await driver.store.narSizes(missing);
    report.push({ kind, paths: closure.length, missing: missing.length, missingBytes: [...sizes.values()].reduce((a, b) => a + b, 0) });
  }
  return report;
}
