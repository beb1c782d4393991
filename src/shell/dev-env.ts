// The dev environment of a project: served from .nixkit/cache/shell when its content key is
// known (no nix process at all), otherwise made by one `nix print-dev-env --json` and cached.
import { closeSync, existsSync, mkdirSync, openSync, readSync, realpathSync } from "node:fs";
import { printDevEnv, type DevEnvResult } from "../nix/print-dev-env.js";
import { nixkitVersion } from "../util/assets.js";
import { currentSystem } from "../util/system.js";
import { latestKey, profilePath, rcFile, shellCacheDir, storeEnv } from "./cache.js";
import { envKey } from "./key.js";
import { RC_ROOT_PREFIX, renderRc, type DevEnvJson } from "./rc.js";

export interface DevEnvRequest {
  projectDir: string;
  nixpkgsOverride?: string;
  signal?: AbortSignal;
}

export const nixBinary = (): string => process.env.NIXKIT_NIX ?? "nix";

export function currentEnvKey(request: DevEnvRequest): string {
  return envKey({
    projectDir: request.projectDir,
    nixpkgsOverride: request.nixpkgsOverride,
    system: currentSystem(),
    nixkitVersion: nixkitVersion(),
    nixBinary: nixBinary(),
  });
}

/** The cached environment script for the project's current inputs, if there is one. */
export function cachedRc(request: DevEnvRequest): { key: string; rcFile?: string } {
  const key = currentEnvKey(request);
  const file = rcFile(request.projectDir, key);
  return rootAlive(file) ? { key, rcFile: file } : { key };
}

/** The env's store path (first line of the script) still exists: nobody deleted its GC root and collected it. */
function rootAlive(file: string): boolean {
  let head: string;
  try {
    const fd = openSync(file, "r");
    const buffer = Buffer.alloc(256);
    const read = readSync(fd, buffer, 0, 256, 0);
    closeSync(fd);
    head = buffer.toString("utf8", 0, read);
  } catch {
    return false;
  }
  const root = head.startsWith(RC_ROOT_PREFIX) ? head.slice(RC_ROOT_PREFIX.length, head.indexOf("\n")) : "";
  return root === "" || existsSync(root);
}

/** The last environment that was made successfully, whatever its inputs were. */
export function latestRc(projectDir: string): string | undefined {
  const key = latestKey(projectDir);
  const file = key && rcFile(projectDir, key);
  return file && rootAlive(file) ? file : undefined;
}

/**
 * Makes the environment with one nix call and caches it under `key`. The nix profile it
 * creates is the GC root that keeps every store path of the environment alive.
 */
export async function makeEnv(request: DevEnvRequest): Promise<{ rcFile?: string; failure?: DevEnvResult }> {
  mkdirSync(shellCacheDir(request.projectDir), { recursive: true });
  const profile = profilePath(request.projectDir);
  const ctx = { projectDir: request.projectDir, nixpkgsOverride: request.nixpkgsOverride, canSetSandbox: process.getuid?.() === 0 };
  const result = await printDevEnv(ctx, profile, nixBinary(), request.signal);
  if (!result.ok) return { failure: result };
  const env = JSON.parse(result.stdout) as DevEnvJson;
  // Nix may have just written flake.lock, one of the key's inputs: file the env under the key
  // of the inputs as they are now, so the next entry finds it.
  const finalKey = currentEnvKey(request);
  await storeEnv(request.projectDir, finalKey, renderRc(env, realpathSync(profile)));
  return { rcFile: rcFile(request.projectDir, finalKey) };
}
