// A project's cached dev environments, under .nixkit/cache/shell/ (paths from state/layout):
//   <key>.rc   the environment as a bash script (see rc.ts)
//   latest     the key of the last environment that was built successfully
//   profile    a Nix profile: a GC root (with generations) for the environment's store paths
import { existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "../state/atomic.js";
import { projectPaths } from "../state/layout.js";
import { RC_END_PREFIX, RC_ROOT_PREFIX } from "./rc-markers.js";
import { rcTrailer } from "./rc.js";

/** A usable script names its GC root: the environment's store path ("" for none). */
export type RcState = { file: string; state: "ok"; root: string } | { state: "missing" | "collected" } | { state: "damaged"; file: string };

/** The cached environment script for `key`: usable, absent, collected by a store GC, or damaged. */
export function cachedRcFile(projectDir: string, key: string): RcState {
  const file = projectPaths(projectDir).shell.rc(key);
  const state = rcState(file);
  if (typeof state === "object") return { state: "ok", file, root: state.root };
  return state === "damaged" ? { state, file } : { state };
}

/** The last environment that was made successfully, whatever its inputs were. */
export function latestRcFile(projectDir: string): string | undefined {
  try {
    const key = readFileSync(projectPaths(projectDir).shell.latest, "utf8").trim();
    const cached = key ? cachedRcFile(projectDir, key) : undefined;
    return cached?.state === "ok" ? cached.file : undefined;
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

/**
 * Checks run on every warm entry: the script ends with the trailer that gives the length and
 * hash of what comes before it (so it is whole and unchanged), and the env's store path (first
 * line) still exists: nobody deleted its GC root and collected it.
 */
function rcState(file: string): { root: string } | "missing" | "collected" | "damaged" {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return "missing";
  }
  const end = bytes.lastIndexOf(RC_END_PREFIX);
  if (end < 0 || !bytes.subarray(end).equals(Buffer.from(rcTrailer(bytes.subarray(0, end))))) return "damaged";
  const head = bytes.toString("utf8", 0, Math.min(end, 512));
  if (!head.startsWith(RC_ROOT_PREFIX)) return "damaged";
  const root = head.slice(RC_ROOT_PREFIX.length, head.indexOf("\n"));
  return root === "" || existsSync(root) ? { root } : "collected";
}
