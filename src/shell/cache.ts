// A project's cached dev environments, under .nixkit/cache/shell/ (paths from state/layout):
//   <key>.rc   the environment as a bash script (see rc.ts)
//   latest     the key of the last environment that was built successfully
//   profile    a Nix profile: a GC root (with generations) for the environment's store paths
import { closeSync, existsSync, openSync, readFileSync, readSync } from "node:fs";
import { writeFileAtomic } from "../state/atomic.js";
import { projectPaths } from "../state/layout.js";
import { RC_ROOT_PREFIX } from "./rc.js";

/** The cached environment script for `key`, if it is there and its store path still exists. */
export function cachedRcFile(projectDir: string, key: string): string | undefined {
  const file = projectPaths(projectDir).shell.rc(key);
  return rootAlive(file) ? file : undefined;
}

/** The last environment that was made successfully, whatever its inputs were. */
export function latestRcFile(projectDir: string): string | undefined {
  try {
    const key = readFileSync(projectPaths(projectDir).shell.latest, "utf8").trim();
    return key ? cachedRcFile(projectDir, key) : undefined;
  } catch {
    return undefined;
  }
}

export async function storeEnv(projectDir: string, key: string, rc: string): Promise<string> {
  const paths = projectPaths(projectDir).shell;
  await writeFileAtomic(paths.rc(key), rc);
  await writeFileAtomic(paths.latest, key + "\n");
  return paths.rc(key);
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
