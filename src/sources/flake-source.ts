// The project as Nix evaluates it, as one hash: every file of the flake's source, with its type,
// executable bit and content. In a git work tree Nix copies only what git tracks
// (libfetchers/git-utils.cc, getWorkdirInfo: the index's entries, untracked files left out, a
// deleted one skipped); elsewhere the whole directory, empty directories included. nixkit's own
// state (.nixkit/cache) and the top-level `result*` out-links are left out: no derivation and no
// evaluation reads them (nix/lib/source.nix excludes both from every source).
//
// A file's content hash is remembered by its settled lstat signature (state/file-signature.ts),
// as git's index does.
import { createHash } from "node:crypto";
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync } from "node:fs";
import path from "node:path";
import { STATE_DIR } from "../state/layout.js";
import { settledAt, statSignature } from "../state/file-signature.js";
import { readEntries, writeStamp } from "../state/stamp.js";
import { gitRootOf, trackedFiles } from "../util/git.js";

type Remembered = [signature: string, sha256: string];

/** The hash of the flake source's files, or undefined when they cannot be listed (git missing, an unreadable directory). */
export function sourceFingerprint(projectDir: string, hashCacheFile: string, nowMs: number = Date.now()): string | undefined {
  const files = sourceFiles(projectDir);
  if (!files) return undefined;
  const remembered = readEntries(hashCacheFile) as Record<string, Remembered>;
  const kept: Record<string, Remembered> = {};
  const hash = createHash("sha256").update("nixkit-flake-source-1\0");
  for (const rel of files) {
    const full = path.join(projectDir, rel);
    // Before the content is read: a write in between changes the signature kept with it.
    const stat = lstatSync(full, { bigint: true, throwIfNoEntry: false });
    let record: string;
    if (!stat) record = "absent";
    else if (stat.isDirectory()) record = "directory";
    else if (stat.isSymbolicLink()) record = `symlink:${readlinkSync(full)}`;
    else if (stat.isFile()) {
      const signature = statSignature(stat);
      const known = remembered[rel];
      const content = Array.isArray(known) && known[0] === signature ? known[1] : fileSha256(full);
      if (content === undefined) return undefined;
      if (settledAt(stat, nowMs)) kept[rel] = [signature, content];
      record = `${stat.mode & 0o111n ? "executable" : "regular"}:${content}`;
    } else return undefined; // a socket or fifo: Nix refuses to copy it, so there is no result to remember
    hash.update(`${rel}\0${record}\0`);
  }
  const serialized = JSON.stringify(kept);
  if (serialized !== JSON.stringify(remembered)) writeStamp(hashCacheFile, serialized + "\n");
  return hash.digest("hex");
}

/** The source's paths relative to projectDir, sorted: git's tracked files, or every entry below the directory. */
export function sourceFiles(projectDir: string): string[] | undefined {
  const listed = gitRootOf(projectDir) ? trackedFiles(projectDir) : walk(projectDir);
  return listed && [...new Set(listed.filter((rel) => !isNixkitState(rel)))].sort();
}

// .nixkit itself is left out as a directory entry (nixkit makes it for its state); its files are in.
const isNixkitState = (rel: string): boolean =>
  rel === ".nixkit" || rel === STATE_DIR || rel.startsWith(`${STATE_DIR}/`) || /^result(-[^/]*)?$/.test(rel.split("/")[0]!);

function walk(root: string): string[] | undefined {
  const found: string[] = [];
  const visit = (rel: string): boolean => {
    let entries;
    try {
      entries = readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return false;
    }
    for (const entry of entries) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      const state = isNixkitState(child);
      if (state && child !== ".nixkit") continue;
      if (!state) found.push(child);
      if (entry.isDirectory() && !visit(child)) return false;
    }
    return true;
  };
  return visit("") ? found : undefined;
}

function fileSha256(file: string): string | undefined {
  const hash = createHash("sha256");
  const buffer = Buffer.allocUnsafe(1 << 20);
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0;) hash.update(buffer.subarray(0, n));
    return hash.digest("hex");
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
