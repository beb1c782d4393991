// Fetches the project's outputs from a binary cache, building nothing here: builds and test
// reports are substituted; image roots (buildEnvs, which Nix never substitutes) are copied by
// store path (the dev environment is pulled by src/workflows/cache.ts, from substitutes alone).
// Nix's refusals become clear errors.
import type { Manifest } from "../manifest/schema.js";
import type { NixDriver, NixFailed } from "../nix/driver.js";
import { flakeAttrs } from "../nix/flake-attrs.js";
import { UNTRUSTED_USER, untrustedExplanation, type BinaryCache } from "../nix/substituters.js";
import type { ClosureKind } from "../roots/registry.js";
import { nixReason } from "../nix/process.js";
import { WorkFailed } from "../util/errors.js";
import { imageSystem } from "../util/system.js";

export interface PullRequest {
  manifest: Manifest;
  projectDir: string;
  nixpkgsOverride?: string;
  system: string;
  kinds: ClosureKind[];
  cache: BinaryCache;
  /** Another store to fill (a directory); the dev shell is then left out. */
  store?: string;
}

/** What was pulled, one line per kind (the shell is left to the caller). */
export async function pullFromCache(driver: NixDriver, request: PullRequest): Promise<string[]> {
  const { manifest, system, kinds, cache } = request;
  const pulled: string[] = [];
  const substituted = [
    ...(kinds.includes("builds") ? Object.keys(manifest.builds).map((n) => flakeAttrs.build(system, n)) : []),
    ...(kinds.includes("tests") ? Object.keys(manifest.tests).map((n) => flakeAttrs.testReport(system, n)) : []),
  ];
  if (substituted.length) {
    const outcome = await driver.substitute(substituted, cache, request.store);
    if (outcome.error) throw pullRefusal(cache, [...outcome.warnings, outcome.error.nixMessage].join("\n"), outcome.error);
    pulled.push(`${substituted.length} build and test output(s)`);
  }
  const images = kinds.includes("images") ? Object.keys(manifest.images) : [];
  if (images.length) {
    const roots = await driver.outPaths(flakeAttrs.imageRoots(imageSystem(system)), images);
    const failure = await driver.copyFrom(cache, roots, request.store);
    if (failure) throw pullRefusal(cache, failure);
    pulled.push(`${images.length} image root(s)`);
  }
  return pulled;
}

/** Why a pull from `cache` failed, from Nix's text. */
export function pullRefusal(cache: BinaryCache, nixText: string, error?: NixFailed): Error {
  if (UNTRUSTED_USER.test(nixText)) return new WorkFailed(untrustedExplanation([], cache)[0]!);
  if (/not signed by any of the keys|lacks a (valid )?signature/.test(nixText)) {
    const keys = cache.publicKeys.join(", ") || "none listed";
    return new WorkFailed(
      `refused: the cache ${cache.url} has paths signed by none of cache.publicKeys (${keys}); nothing was substituted from it`,
    );
  }
  if (/hash mismatch|bad archive|NAR/i.test(nixText)) {
    return new WorkFailed(`refused: the cache ${cache.url} served a corrupt NAR (${nixReason(nixText)})`);
  }
  if (/unable to start any build|required to be built|--max-jobs 0|local builds are disabled/i.test(nixText)) {
    return new WorkFailed(
      `the cache ${cache.url} lacks some of what is needed and nothing may be built by a pull (push first: nixkit cache push)`,
    );
  }
  return error ?? new WorkFailed(`pulling from ${cache.url} failed: ${nixReason(nixText)}`);
}
