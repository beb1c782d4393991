// A file's identity as git's index records it: inode, size, mtime, ctime and mode from lstat
// (and, for a symlink, the same of what it points to). A signature stands for unchanged content
// only once it is settled: its mtime and ctime over 2 s older than the moment it is recorded
// ("racily clean" in git's terms). Any later write moves the ctime past that moment, so a
// settled signature that still matches means unchanged content, even on a filesystem with
// coarse timestamps or for an edit that keeps size and mtime.
import { lstatSync, statSync, type BigIntStats } from "node:fs";

const SETTLED_NS = 2_000_000_000n;

export const statSignature = (stat: BigIntStats): string => `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}:${stat.mode}`;

/** Whether a signature taken from `stat` may be recorded at `nowMs`. */
export const settledAt = (stat: BigIntStats, nowMs: number): boolean => {
  const before = BigInt(Math.floor(nowMs)) * 1_000_000n - SETTLED_NS;
  return stat.mtimeNs < before && stat.ctimeNs < before;
};

/**
 * The signature of `file` now ("absent" when there is none), and whether it is settled at
 * `nowMs`; a symlink is signed with its target.
 */
export interface FileSignature {
  signature: string;
  settled: boolean;
}

export function fileSignature(file: string, nowMs: number): FileSignature {
  const link = lstatSync(file, { bigint: true, throwIfNoEntry: false });
  if (!link) return { signature: "absent", settled: true };
  if (!link.isSymbolicLink()) return { signature: statSignature(link), settled: settledAt(link, nowMs) };
  const target = statSync(file, { bigint: true, throwIfNoEntry: false });
  return {
    signature: `${statSignature(link)}->${target ? statSignature(target) : "absent"}`,
    settled: settledAt(link, nowMs) && (!target || settledAt(target, nowMs)),
  };
}
