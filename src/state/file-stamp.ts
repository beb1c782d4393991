// Cheap proof that a file nixkit wrote is still what it wrote: its size, inode and change time
// (ctime moves on every write, chmod or link and cannot be set back). When a stamp differs, the
// content is hashed again rather than trusted.
import { createHash } from "node:crypto";
import { createReadStream, promises as fs } from "node:fs";
import { pipeline } from "node:stream/promises";

export interface FileStamp {
  size: number;
  ino: number;
  ctimeMs: number;
}

export async function stampOf(file: string): Promise<FileStamp> {
  const stat = await fs.stat(file);
  return { size: stat.size, ino: stat.ino, ctimeMs: stat.ctimeMs };
}

export const sameStamp = (a: FileStamp | undefined, b: FileStamp): boolean =>
  a !== undefined && a.size === b.size && a.ino === b.ino && a.ctimeMs === b.ctimeMs;

/** "sha256:<hex>" of a file's bytes. */
export async function sha256Of(file: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hash, { signal });
  return `sha256:${hash.digest("hex")}`;
}
