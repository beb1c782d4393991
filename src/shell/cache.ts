// Where a project's cached dev environments live, under .nixkit/cache/shell/:
//   <key>.rc   the environment as a bash script (see rc.ts)
//   latest     the key of the last environment that was built successfully
//   profile    a Nix profile: a GC root (with generations) for the environment's store paths
import { readFileSync } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../util/atomic.js";

export const shellCacheDir = (projectDir: string): string => path.join(projectDir, ".nixkit", "cache", "shell");
export const rcFile = (projectDir: string, key: string): string => path.join(shellCacheDir(projectDir), `${key}.rc`);
export const profilePath = (projectDir: string): string => path.join(shellCacheDir(projectDir), "profile");
const latestFile = (projectDir: string) => path.join(shellCacheDir(projectDir), "latest");

export function latestKey(projectDir: string): string | undefined {
  try {
    return readFileSync(latestFile(projectDir), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function storeEnv(projectDir: string, key: string, rc: string): Promise<void> {
  await writeFileAtomic(rcFile(projectDir, key), rc);
  await writeFileAtomic(latestFile(projectDir), key + "\n");
}
