// Whether flake.nix and .nixkit/lib are exactly what this nixkit generates from this nixkit.yaml,
// decided from hashes alone: the shell's fast path must not load the YAML parser or the schema.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { isUntouchedGenerated, readFlakeHeader } from "../generate/header.js";
import { assetPath, nixkitVersion } from "../util/assets.js";
import { sha256 } from "../util/hash.js";

export function generatedFilesFresh(projectDir: string): boolean {
  try {
    const flake = readFileSync(path.join(projectDir, "flake.nix"), "utf8");
    const header = readFlakeHeader(flake);
    if (!header || header.nixkit !== nixkitVersion() || !isUntouchedGenerated(flake)) return false;
    if (header.manifest !== sha256(readFileSync(path.join(projectDir, "nixkit.yaml")))) return false;
    const shipped = readdirSync(assetPath("nix", "lib"))
      .filter((n) => n.endsWith(".nix"))
      .sort();
    const vendored = readdirSync(path.join(projectDir, ".nixkit", "lib"))
      .filter((n) => !n.startsWith("."))
      .sort();
    if (shipped.join("/") !== vendored.join("/")) return false;
    return shipped.every((n) => readFileSync(assetPath("nix", "lib", n)).equals(readFileSync(path.join(projectDir, ".nixkit", "lib", n))));
  } catch {
    return false;
  }
}
