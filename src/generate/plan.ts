// What `nixkit generate` writes: a pure function of the manifest and the plan's inputs, read once
// by the caller: nixkit's own nix/lib and, for Node projects, the lockfiles' checks and npm's
// registry setting (src/node/registry-for.ts); for Python lockfiles, what they lock (src/python/context.ts).
import { readFileSync } from "node:fs";
import type { Manifest } from "../manifest/schema.js";
import { FLAKE_FILE, LIB_DIR } from "../state/layout.js";
import { assetPath, nixkitVersion } from "../util/assets.js";
import { sha256 } from "../util/hash.js";
import { nodeContext, type NodeContext } from "../node/registry-for.js";
import { goContext, type GoContext } from "../go/context.js";
import { pythonContext, type PythonContext } from "../python/context.js";
import { rustContext, type RustContext } from "../rust/context.js";
import { checkPinnedData } from "../sources/pinned-data.js";
import { renderFlake } from "./flake.js";
import { shippedLibrary, type GeneratedFile } from "./freshness.js";

export type { GeneratedFile } from "./freshness.js";

export function libraryFiles(): GeneratedFile[] {
  return shippedLibrary().map((name) => ({ path: `${LIB_DIR}/${name}`, content: readFileSync(assetPath("nix", "lib", name), "utf8") }));
}

/** Hash of everything the generated files depend on: the normalised manifest, the library, nixkit's version. */
export function sourceHash(manifest: Manifest, library: GeneratedFile[]): string {
  return sha256(JSON.stringify({ manifest, library: library.map((f) => [f.path, sha256(f.content)]), nixkit: nixkitVersion() }));
}

/** The paths `generatePlan` writes, whatever the manifest says. */
export const generatedPaths = (): string[] => [FLAKE_FILE, ...shippedLibrary().map((name) => `${LIB_DIR}/${name}`)];

/** What the generated files depend on beyond the manifest. */
export interface PlanInputs {
  library: GeneratedFile[];
  node: NodeContext;
  python: PythonContext;
  go: GoContext;
  rust: RustContext;
}

/** The files and settings the plan reads (a refused lockfile throws here, placed at its field by `manifestText`). */
export async function readPlanInputs(manifest: Manifest, manifestText: string, projectDir: string): Promise<PlanInputs> {
  checkPinnedData(manifest, projectDir, manifestText);
  return {
    library: libraryFiles(),
    node: nodeContext(manifest, projectDir, manifestText),
    python: await pythonContext(manifest, projectDir, manifestText),
    go: await goContext(manifest, projectDir, manifestText),
    rust: await rustContext(manifest, projectDir, manifestText),
  };
}

/** `manifestText` is nixkit.yaml as read: its hash lets the shell's fast path trust flake.nix without parsing YAML. */
export function generatePlan(manifest: Manifest, manifestText: string, inputs: PlanInputs): GeneratedFile[] {
  const hashes = { manifest: sha256(manifestText), source: sourceHash(manifest, inputs.library) };
  return [
    { path: FLAKE_FILE, content: renderFlake(manifest, hashes, inputs.node, { ...inputs.python, ...inputs.go, ...inputs.rust }) },
    ...inputs.library,
  ];
}
