// Locates files shipped beside the code (nix/, templates/, schema/), from src/ or dist/ alike.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "package.json")) || !existsSync(path.join(dir, "nix"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("nixkit: cannot find its package root");
    dir = parent;
  }
  return (root = dir);
}

export const assetPath = (...parts: string[]): string => path.join(packageRoot(), ...parts);

let version: string | undefined;

export function nixkitVersion(): string {
  return (version ??= (JSON.parse(readFileSync(assetPath("package.json"), "utf8")) as { version: string }).version);
}
