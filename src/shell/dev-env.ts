// The dev environment of a project: served from .nixkit/cache/shell when its content key is
// known (no nix process at all), otherwise made by one `nix print-dev-env --json` and cached.
// On the warm path: node builtins only (the cold path's nix call is print-dev-env.ts's spawn).
import { mkdirSync, realpathSync } from "node:fs";
import { printDevEnvArgs } from "../nix/args.js";
import { canSetSandbox, nixBinary } from "../nix/binary.js";
import { printDevEnv, type DevEnvResult } from "../nix/print-dev-env.js";
import { recentSubstituterArgs } from "../nix/substituter-verdict.js";
import { projectPaths } from "../state/layout.js";
import { nixkitVersion } from "../util/assets.js";
import { currentSystem } from "../util/system.js";
import { cachedRcFile, storeEnv, type RcState } from "./cache.js";
import { envKey, noKeyReads, type KeyReads } from "./key.js";
import { writeWarmStamp } from "./warm-stamp.js";
import { fileSignature } from "../state/file-signature.js";
import { renderRc, type DevEnvJson } from "./rc.js";

export interface DevEnvRequest {
  projectDir: string;
  nixpkgsOverride?: string;
}

export function currentEnvKey(request: DevEnvRequest, withoutLock = false, reads?: KeyReads): string {
  return envKey(
    {
      withoutLock,
      projectDir: request.projectDir,
      nixpkgsOverride: request.nixpkgsOverride,
      system: currentSystem(),
      nixkitVersion: nixkitVersion(),
      nixBinary: nixBinary(),
    },
    reads,
  );
}

/**
 * The cached environment script for the project's current inputs, and whether it is usable;
 * a usable one is stamped for the next warm entry (warm-stamp.ts).
 */
export function cachedRc(request: DevEnvRequest): RcState {
  const reads = noKeyReads();
  const key = currentEnvKey(request, false, reads);
  const signed = fileSignature(projectPaths(request.projectDir).shell.rc(key), Date.now());
  const cached = cachedRcFile(request.projectDir, key);
  if (cached.state === "ok") writeWarmStamp(request.projectDir, request.nixpkgsOverride, reads, { ...cached, signed });
  return cached;
}

export const damagedRcWarning = (file: string): string => `the cached dev environment ${file} was damaged; making it again`;

/** How the environment's one nix call is made: by the driver (full CLI) or directly (warm path). */
export type PrintDevEnv = (profile: string) => Promise<DevEnvResult>;

/** print-dev-env without the driver, for the warm path: no binary cache, as the manifest has none. */
export const directPrintDevEnv =
  (request: DevEnvRequest): PrintDevEnv =>
  (profile) => {
    const ctx = { projectDir: request.projectDir, nixpkgsOverride: request.nixpkgsOverride, canSetSandbox: canSetSandbox() };
    return printDevEnv(nixBinary(), printDevEnvArgs(ctx, profile, recentSubstituterArgs()), request.projectDir);
  };

/**
 * Makes the environment with one nix call and caches it under its key. The nix profile it
 * creates is the GC root that keeps every store path of the environment alive.
 */
export async function makeEnv(request: DevEnvRequest, run: PrintDevEnv): Promise<{ rcFile?: string; failure?: DevEnvResult }> {
  const paths = projectPaths(request.projectDir).shell;
  mkdirSync(paths.dir, { recursive: true });
  const evaluated = { key: currentEnvKey(request), withoutLock: currentEnvKey(request, true) };
  const result = await run(paths.profile);
  if (!result.ok) return { failure: result };
  const env = JSON.parse(result.stdout) as DevEnvJson;
  // The env is filed under the key of the inputs Nix evaluated: an edit made meanwhile must make
  // the next entry cold. Only a lock file Nix itself just wrote counts as evaluated.
  const key = currentEnvKey(request, true) === evaluated.withoutLock ? currentEnvKey(request) : evaluated.key;
  return { rcFile: await storeEnv(request.projectDir, key, renderRc(env, realpathSync(paths.profile))) };
}

// The warm path and the full CLI run in one process (src/main.ts) from two bundles: a failure the
// warm path met is handed over through globalThis, tied to the project and its environment key.
const HANDOVER = Symbol.for("nixkit.devEnvFailure");
type Handover = { key: string; failure: DevEnvResult };
const slot = globalThis as { [HANDOVER]?: Handover };

export const warmFailure = {
  keep(request: DevEnvRequest, failure: DevEnvResult | undefined): void {
    if (failure) slot[HANDOVER] = { key: `${request.projectDir}\0${currentEnvKey(request)}`, failure };
  },
  take(request: DevEnvRequest): DevEnvResult | undefined {
    const kept = slot[HANDOVER];
    delete slot[HANDOVER];
    return kept && kept.key === `${request.projectDir}\0${currentEnvKey(request)}` ? kept.failure : undefined;
  },
};
