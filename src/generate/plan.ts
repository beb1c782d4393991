// What `nixkit generate` writes: a pure function of the manifest and nixkit's own nix/lib.
import { readdirSync, readFileSync } from "node:fs";
import type { Manifest } from "../manifest/schema.js";
import { assetPath, nixkitVersion } from "../util/assets.js";
import { sha256 } from "../util/hash.js";
import { LIB_DIR, renderFlake } from "./flake.js";

export interface GeneratedFile {
  /** Relative to the project root, with "/" separators. */
  path: string;
  content: string;
}

export const FLAKE_FILE = "flake.nix";

export function libraryFiles(): GeneratedFile[] {
  const dir = assetPath("nix", "lib");
  return readdirSync(dir)
    .filter((name) => name.endsWith(".nix"))
    .sort()
    .map((name) => ({ path: `${LIB_DIR}/${name}`, content: readFileSync(`${dir}/${name}`, "utf8") }));
}

/** Hash of everything the generated files depend on: the normalised manifest, the library, nixkit's version. */
export function sourceHash(manifest: Manifest, library: GeneratedFile[]): string {
  return sha256(JSON.stringify({ manifest, library: library.map((f) => [f.path, sha256(f.content)]), nixkit: nixkitVersion() }));
}

/** `manifestText` is nixkit.yaml as read: its hash lets the shell's fast path trust flake.nix without parsing YAML. */
export function generatePlan(manifest: Manifest, manifestText: string): GeneratedFile[] {
  const library = libraryFiles();
  const hashes = { manifest: sha256(manifestText), source: sourceHash(manifest, library) };
  return [{ path: FLAKE_FILE, content: renderFlake(manifest, hashes) }, ...library];
}
