// The content key of a project's dev environment: a hash of everything that can change it.
// Runs on the warm path, so it uses node builtins only and reads each input once. sha256: loading
// node:crypto costs ~3 ms, a hash in JavaScript twice that, cold, on every warm entry.
import { readdirSync } from "node:fs";
import path from "node:path";
import { binaryFingerprint } from "../nix/binary.js";
import { readShellInputs } from "../generate/shell-inputs.js";
import { ENV_INPUT_FILES, FLAKE_FILE, IMMUTABLE_MARKER, LIB_DIR, LOCK_FILE, MANIFEST_FILE } from "../state/layout.js";
import { immutableMarker, localPathOf, lockedLocalInputs, treeFingerprint } from "../sources/flake-inputs.js";
import { createHash } from "node:crypto";
import { readInside, type ReadLimit } from "../util/bounded-read.js";
import { fileSignature, type FileSignature } from "../state/file-signature.js";

export interface EnvKeyInputs {
  projectDir: string;
  nixpkgsOverride?: string;
  system: string;
  nixkitVersion: string;
  /** The nix binary nixkit will run ("nix" is looked up on PATH). */
  nixBinary: string;
  env?: NodeJS.ProcessEnv;
  /** Leave flake.lock out: to tell Nix's own lock write from a user's edit during a cold entry. */
  withoutLock?: boolean;
}

/**
 * What a key was computed from, for the warm stamp (warm-stamp.ts): every file read and
 * directory listed, each signed before it was read; `byFiles` is false when a local input's
 * tree counted too (its fingerprint is a walk, not a file).
 */
export interface KeyReads {
  signed: [file: string, signed: FileSignature][];
  byFiles: boolean;
}

export const noKeyReads = (): KeyReads => ({ signed: [], byFiles: true });

export function envKey(inputs: EnvKeyInputs, reads: KeyReads = noKeyReads()): string {
  const now = Date.now();
  const sign = (file: string) => reads.signed.push([file, fileSignature(file, now)]);
  const hash = createHash("sha256");
  const add = (label: string, value: string | Buffer) => {
    hash.update(`${label}\0${value.length}\0`);
    hash.update(value);
  };
  add("format", "nixkit-env-key-2");
  add("system", inputs.system);
  add("nixkit", inputs.nixkitVersion);
  add("nix", binaryFingerprint(inputs.nixBinary, inputs.env ?? process.env) ?? "absent");
  // flake.nix names what else the shell depends on (a node lockfile): read like the rest.
  let shellInputs: string[] = [];
  for (const file of ENV_INPUT_FILES) {
    if (inputs.withoutLock && file === LOCK_FILE) continue;
    const bytes = readOrEmpty(
      inputs.projectDir,
      path.join(inputs.projectDir, file),
      file === MANIFEST_FILE ? "manifest" : "generated",
      sign,
    );
    add(file, bytes);
    if (file === FLAKE_FILE) shellInputs = readShellInputs(bytes.toString());
  }
  for (const file of shellInputs)
    add(`shell-input:${file}`, readOrEmpty(inputs.projectDir, path.join(inputs.projectDir, file), "lockfile", sign));
  const lib = path.join(inputs.projectDir, LIB_DIR);
  sign(lib);
  for (const name of listOrEmpty(lib).sort()) {
    add(`${LIB_DIR}/${name}`, readOrEmpty(inputs.projectDir, path.join(lib, name), "generated", sign));
  }
  const tree = (dir: string) => {
    sign(path.join(dir, IMMUTABLE_MARKER));
    if (immutableMarker(dir) === undefined) reads.byFiles = false;
    return treeFingerprint(dir);
  };
  if (inputs.nixpkgsOverride) {
    add("override", inputs.nixpkgsOverride);
    const local = localPathOf(inputs.nixpkgsOverride, inputs.projectDir);
    if (local) add("override-tree", tree(local));
  }
  for (const local of inputs.withoutLock ? [] : lockedLocalInputs(inputs.projectDir)) add(`input-tree:${local}`, tree(local));
  return hash.digest("hex").slice(0, 32);
}

// A refused file (a link out of the project, a device, too large) throws: the caller says why.
const readOrEmpty = (projectDir: string, file: string, limit: ReadLimit, sign: (file: string) => void): Buffer => {
  sign(file);
  return readInside(projectDir, file, limit) ?? Buffer.from("\0absent");
};

function listOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
