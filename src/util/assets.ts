// Locates files shipped beside the code (nix/, templates/, schema/), from src/ or dist/ alike.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

declare const __filename: string | undefined;
// The entry bundle is CommonJS (no import.meta), the full CLI an ES module (no __filename).
const here = (): string => (typeof __filename === "string" ? __filename : fileURLToPath(import.meta.url));

export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(here());
  while (!existsSync(path.join(dir, "package.json")) || !existsSync(path.join(dir, "nix"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("nixkit: cannot find its package root");
    dir = parent;
  }
  return (root = dir);
}

export const assetPath = (...parts: string[]): string => path.join(packageRoot(), ...parts);

let version: string | undefined;
// Set by scripts/build.mjs from package.json, so the fast path reads no file for it.
declare const NIXKIT_BUILD_VERSION: string | undefined;

export function nixkitVersion(): string {
  if (typeof NIXKIT_BUILD_VERSION === "string") return NIXKIT_BUILD_VERSION;
  return (version ??= (JSON.parse(readFileSync(assetPath("package.json"), "utf8")) as { version: string }).version);
}

declare const NIXKIT_BUILD_ID: string | undefined;

/** The bundle's identity (a hash of src/ and nix/ at build time); "source" when run unbundled. */
export const nixkitBuildId = (): string => (typeof NIXKIT_BUILD_ID === "string" ? NIXKIT_BUILD_ID : "source");
