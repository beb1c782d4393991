// The warm entry's shortcut past the environment key: the files the key was last computed from,
// each by its settled signature (state/file-signature.ts), with the environment script it named,
// its signature and its GC root. While every signature still matches (and the context: nixkit,
// the system, the nix binary, the override), the key and the script's check would come out the
// same, so the script is served without reading the inputs or loading node:crypto.
// Recorded only when every signature is settled; a key that depends on a local input's tree
// (a walk, not a file) is never recorded.
import { existsSync } from "node:fs";
import { binaryFingerprint, nixBinary } from "../nix/binary.js";
import { fileSignature, type FileSignature } from "../state/file-signature.js";
import { projectPaths } from "../state/layout.js";
import { readEntries, stampHolds, writeStamp } from "../state/stamp.js";
import { nixkitBuildId, nixkitVersion } from "../util/assets.js";
import { currentSystem } from "../util/system.js";
import type { KeyReads } from "./key.js";

interface WarmStamp {
  context: string;
  rcFile: string;
  rcSignature: string;
  root: string;
  files: [file: string, signature: string][];
}

/** Everything besides files that the key and the script's check depend on. */
function warmContext(nixpkgsOverride: string | undefined): string {
  const nix = binaryFingerprint(nixBinary()) ?? "absent";
  return JSON.stringify(["nixkit-warm-stamp-1", nixkitVersion(), nixkitBuildId(), currentSystem(), nix, nixpkgsOverride ?? ""]);
}

/** The environment script the stamp names, when nothing it was taken from has changed. */
export function stampedRcFile(projectDir: string, nixpkgsOverride: string | undefined): string | undefined {
  const stamp = readEntries(projectPaths(projectDir).shell.warmStamp) as Partial<WarmStamp>;
  if (stamp.context !== warmContext(nixpkgsOverride) || typeof stamp.rcFile !== "string" || !Array.isArray(stamp.files)) return undefined;
  const now = Date.now();
  if (fileSignature(stamp.rcFile, now).signature !== stamp.rcSignature) return undefined;
  if (stamp.root !== "" && (typeof stamp.root !== "string" || !existsSync(stamp.root))) return undefined;
  for (const entry of stamp.files) {
    if (!Array.isArray(entry) || typeof entry[0] !== "string" || fileSignature(entry[0], now).signature !== entry[1]) return undefined;
  }
  return stamp.rcFile;
}

/** Records that `reads` gave the key of `rc.file` (checked usable, rooted at `rc.root`), when that can be trusted later. */
// Every signature was taken before what it signs was read or checked: a write in between
// leaves a signature that no longer matches, never a stale one that does.
export function writeWarmStamp(
  projectDir: string,
  nixpkgsOverride: string | undefined,
  reads: KeyReads,
  rc: { file: string; root: string; signed: FileSignature },
): void {
  if (!reads.byFiles || !rc.signed.settled || reads.signed.some(([, s]) => !s.settled)) return;
  const stamp: WarmStamp = {
    context: warmContext(nixpkgsOverride),
    rcFile: rc.file,
    rcSignature: rc.signed.signature,
    root: rc.root,
    files: reads.signed.map(([file, s]) => [file, s.signature]),
  };
  const file = projectPaths(projectDir).shell.warmStamp;
  const content = JSON.stringify(stamp) + "\n";
  if (!stampHolds(file, content)) writeStamp(file, content);
}
