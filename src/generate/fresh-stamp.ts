// `nixkit generate` with nothing to do, answered without loading the full CLI: the full CLI
// leaves a stamp when it finds (or makes) the generated files fresh for a manifest without `node`
// fields, whose plan is then a function of nixkit.yaml and this build of nixkit alone. The stamp
// ties this build to the bytes of flake.nix and .gitignore; the header's hashes and the vendored
// library are checked as the shell's warm path checks them. Node builtins only.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { projectPaths } from "../state/layout.js";
import { stampHolds, writeStamp } from "../state/stamp.js";
import { findProjectDir } from "../state/project-dir.js";
import { leadingOptions } from "../util/leading-options.js";
import { nixkitBuildId } from "../util/assets.js";
import { sha256 } from "../util/hash.js";
import { generatedFilesFresh, shippedLibrary } from "./freshness.js";

function stampContent(projectDir: string): string | undefined {
  const read = (file: string) => {
    try {
      return readFileSync(file);
    } catch {
      return undefined;
    }
  };
  const flake = read(projectPaths(projectDir).flake);
  if (!flake) return undefined;
  const gitignore = read(path.join(projectDir, ".gitignore"));
  return JSON.stringify({ build: nixkitBuildId(), flake: sha256(flake), gitignore: gitignore ? sha256(gitignore) : null });
}

/** Called by the full CLI once the generated files match a plan that needed nothing but the manifest. */
export function writeFreshStamp(projectDir: string): void {
  const content = stampContent(projectDir);
  if (content) writeStamp(projectPaths(projectDir).generatedStamp, content);
}

/** True when `generate` has nothing to write here, known without the YAML parser or the plan. */
export function freshByStamp(projectDir: string): boolean {
  const content = stampContent(projectDir);
  const paths = projectPaths(projectDir);
  return content !== undefined && stampHolds(paths.generatedStamp, content) && onlyShipped(paths.lib) && generatedFilesFresh(projectDir);
}

/** The vendored library holds the shipped files and nothing else: no leftover of an interrupted write (dot files included). */
function onlyShipped(lib: string): boolean {
  try {
    return readdirSync(lib).sort().join("/") === shippedLibrary().join("/");
  } catch {
    return false;
  }
}

/** `[-C DIR] [-q] generate [--check]`: the project directory when a line is exactly that, else undefined. */
export function parseFastGenerate(argv: string[], env: NodeJS.ProcessEnv): { projectDir: string; check: boolean } | undefined {
  const { directory, next } = leadingOptions(argv, env);
  if (argv[next] !== "generate") return undefined;
  const rest = argv.slice(next + 1);
  if (rest.length > 1 || (rest.length === 1 && rest[0] !== "--check")) return undefined;
  return { projectDir: findProjectDir(directory), check: rest.length === 1 };
}
