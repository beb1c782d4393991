// Substitutes the project's outputs from a binary cache, building nothing here, and turns
// Nix's refusals (a signature by no trusted key, a corrupt NAR) into clear errors.
import type { Manifest } from "../manifest/schema.js";
import type { NixDriver } from "../nix/driver.js";
import { flakeAttrs } from "../nix/flake-attrs.js";
import type { BinaryCache } from "../nix/substituters.js";
import type { ClosureKind } from "../roots/registry.js";
import { WorkFailed } from "../util/errors.js";

/** The flake attributes whose outputs make up the closures of `kinds`. */
export function pullAttrs(manifest: Manifest, system: string, kinds: ClosureKind[]): string[] {
  return [
    ...(kinds.includes("shell") ? [flakeAttrs.devShell(system)] : []),
    ...(kinds.includes("builds") ? Object.keys(manifest.builds).map((n) => flakeAttrs.build(system, n)) : []),
    ...(kinds.includes("tests") ? Object.keys(manifest.tests).map((n) => flakeAttrs.testReport(system, n)) : []),
    ...(kinds.includes("images") ? Object.keys(manifest.images).map((n) => flakeAttrs.imageRoot(system, n)) : []),
  ];
}

export async function pullFromCache(driver: NixDriver, attrs: string[], cache: BinaryCache, store?: string): Promise<void> {
  const outcome = await driver.substitute(attrs, cache, store);
  if (!outcome.error) return;
  const nixText = [...outcome.warnings, outcome.error.nixMessage].join("\n");
  if (/is not signed by any of the keys/.test(nixText)) {
    const keys = cache.publicKeys.join(", ") || "none listed";
    throw new WorkFailed(
      `refused: the cache ${cache.url} has paths signed by none of cache.publicKeys (${keys}); nothing was substituted from it`,
    );
  }
  if (/hash mismatch|bad archive|NAR/i.test(nixText)) {
    throw new WorkFailed(
      `refused: the cache ${cache.url} served a corrupt NAR (${outcome.error.message.replace(/^nix build failed: /, "")})`,
    );
  }
  throw outcome.error;
}
