// nixkit's per-user cache, outside every project: $XDG_CACHE_HOME/nixkit (or ~/.cache/nixkit).
import os from "node:os";
import path from "node:path";

export function userCachePath(...parts: string[]): string {
  return userCachePathIn(process.env, ...parts);
}

export function userCachePathIn(env: NodeJS.ProcessEnv, ...parts: string[]): string {
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "nixkit", ...parts);
}
