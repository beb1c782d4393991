// Files nixkit downloaded and checked while generating (Go modules, to learn their sha256; the
// crates `cargo vendor` fetched), kept by their SRI hash in nixkit's cache until the fetch ahead
// (src/node/prefetch.ts) takes them instead of downloading them again, checking them again.
import { createHash } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, promises as fs } from "node:fs";
import path from "node:path";
import { userCachePaths } from "./layout.js";

/** The file name a checked download is kept under: its SRI hash, made safe for a file name. */
const keptName = (sri: string): string => sri.replace(/\//g, "_").replace(/\+/g, "-");

/** Keeps `source` (its bytes, or a file to hard-link) for the fetch ahead; only a speed-up, so it never fails. */
export function keepChecked(source: Buffer | string, sri: string, env: NodeJS.ProcessEnv = process.env): void {
  const dir = userCachePaths(env).checkedDownloads;
  const file = path.join(dir, keptName(sri));
  try {
    mkdirSync(dir, { recursive: true });
    if (typeof source === "string") {
      // (on another file system: the fetch ahead downloads it)
      if (!existsSync(file)) linkSync(source, file);
      return;
    }
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, source);
    renameSync(temp, file);
  } catch {
    // only a speed-up
  }
}

/** Removes kept files no build took within a week (a generate without a build). */
export function sweepChecked(): void {
  const dir = userCachePaths().checkedDownloads;
  const weekAgo = Date.now() - 7 * 24 * 3600 * 1000;
  try {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).mtimeMs < weekAgo) rmSync(file, { force: true });
    }
  } catch {
    // none yet
  }
}

/** Moves the kept file for `sri` to `file` when there is one and its bytes still match; whether it did. */
export async function takeChecked(sri: string, file: string): Promise<boolean> {
  const kept = path.join(userCachePaths().checkedDownloads, keptName(sri));
  try {
    await fs.rename(kept, file);
  } catch {
    return false;
  }
  const [algorithm, expected] = [sri.slice(0, sri.indexOf("-")), sri.slice(sri.indexOf("-") + 1)];
  if (
    createHash(algorithm)
      .update(await fs.readFile(file))
      .digest("base64") === expected
  )
    return true;
  await fs.rm(file, { force: true });
  return false;
}
