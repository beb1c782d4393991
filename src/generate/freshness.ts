// Whether the generated files match nixkit.yaml: in full (the planned files against what is on
// disk, for generate, --check, doctor and ci), or from hashes alone (generatedFilesFresh, for the
// warm shell path, which must not load the YAML parser or the schema). Light imports only.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { deadLeftovers } from "../state/atomic.js";
import { readInside, readTextInside } from "../util/bounded-read.js";
import { FLAKE_FILE, LIB_DIR, projectPaths } from "../state/layout.js";
import { assetPath, nixkitVersion } from "../util/assets.js";
import { sha256 } from "../util/hash.js";
import { insideGitRepo, knownToGit } from "../util/git.js";
import { isUntouchedGenerated, readFlakeHeader } from "./header.js";

export interface GeneratedFile {
  /** Relative to the project root, with "/" separators. */
  path: string;
  content: string;
}

export type DriftKind = "missing" | "stale" | "edited" | "extra" | "leftover";

export interface Drift {
  path: string;
  kind: DriftKind;
  added: number;
  removed: number;
}

/** `libraryExtras`: also report vendored library files the plan no longer has (for generate's plan). */
export async function findDrift(projectDir: string, plan: GeneratedFile[], libraryExtras = true): Promise<Drift[]> {
  const drifts: Drift[] = [];
  for (const file of plan) {
    const current = readTextInside(projectDir, path.join(projectDir, file.path), "generated");
    if (current === undefined) {
      drifts.push({ path: file.path, kind: "missing", added: lineCount(file.content), removed: 0 });
    } else if (current !== file.content) {
      const edited = file.path === FLAKE_FILE && !isUntouchedGenerated(current);
      drifts.push({ path: file.path, kind: edited ? "edited" : "stale", ...lineChanges(current, file.content) });
    }
  }
  for (const extra of libraryExtras ? extraLibraryFiles(projectDir, plan) : []) {
    drifts.push({ path: extra, kind: "extra", added: 0, removed: 0 });
  }
  // Temp files a killed nixkit left beside the generated ones (`git add .nixkit` would commit them).
  for (const dir of libraryExtras ? ["", LIB_DIR] : [""]) {
    for (const name of deadLeftovers(path.join(projectDir, dir)))
      drifts.push({ path: dir ? `${dir}/${name}` : name, kind: "leftover", added: 0, removed: 0 });
  }
  return drifts;
}

/** Files in the vendored library directory that the plan no longer contains. */
export function extraLibraryFiles(projectDir: string, plan: GeneratedFile[]): string[] {
  const planned = new Set(plan.map((f) => f.path));
  let names: string[];
  try {
    names = readdirSync(path.join(projectDir, LIB_DIR));
  } catch {
    return [];
  }
  return names.map((n) => `${LIB_DIR}/${n}`).filter((p) => !planned.has(p) && !p.split("/").at(-1)!.startsWith("."));
}

export function describeDrift(drift: Drift): string {
  const counts = drift.kind === "extra" || drift.kind === "leftover" ? "" : ` (+${drift.added} -${drift.removed} lines)`;
  const why = {
    missing: "missing",
    stale: "out of date",
    edited: "edited by hand",
    extra: "no longer generated",
    leftover: "a temp file an interrupted nixkit left",
  }[drift.kind];
  return `${drift.path}: ${why}${counts}`;
}

const lineCount = (text: string) => text.split("\n").length;

/** Lines added and removed, counted as a multiset difference (cheap, order-insensitive). */
function lineChanges(before: string, after: string): { added: number; removed: number } {
  const counts = new Map<string, number>();
  for (const line of before.split("\n")) counts.set(line, (counts.get(line) ?? 0) + 1);
  let added = 0;
  for (const line of after.split("\n")) {
    const n = counts.get(line) ?? 0;
    if (n > 0) counts.set(line, n - 1);
    else added++;
  }
  const removed = [...counts.values()].reduce((a, b) => a + b, 0);
  return { added, removed };
}

/** Whether Nix sees the generated files: outside git always; in git, when git knows them (an ignore rule may hide them). */
export function generatedFilesVisible(projectDir: string): boolean {
  if (!insideGitRepo(projectDir)) return true;
  const files = [FLAKE_FILE, `${LIB_DIR}/default.nix`];
  return knownToGit(projectDir, files).size === files.length;
}

/**
 * True when flake.nix and the vendored library are exactly what this nixkit generates from this
 * nixkit.yaml, decided from the header's hashes and the shipped library's bytes.
 */
export function generatedFilesFresh(projectDir: string): boolean {
  const paths = projectPaths(projectDir);
  try {
    const flake = readTextInside(projectDir, paths.flake, "generated");
    if (flake === undefined) return false;
    const header = readFlakeHeader(flake);
    if (!header || header.nixkit !== nixkitVersion() || !isUntouchedGenerated(flake)) return false;
    if (header.manifest !== sha256(readInside(projectDir, paths.manifest, "manifest") ?? "")) return false;
    const shipped = shippedLibrary();
    const vendored = readdirSync(paths.lib)
      .filter((n) => !n.startsWith("."))
      .sort();
    if (shipped.join("/") !== vendored.join("/")) return false;
    return shipped.every((n) =>
      readFileSync(assetPath("nix", "lib", n)).equals(readInside(projectDir, path.join(paths.lib, n), "generated") ?? Buffer.alloc(0)),
    );
  } catch {
    return false;
  }
}

/** The library files nixkit ships (nix/lib/*.nix, and the scripts its builders run), sorted. */
export function shippedLibrary(): string[] {
  return readdirSync(assetPath("nix", "lib"))
    .filter((n) => n.endsWith(".nix") || n.endsWith(".cjs") || n.endsWith(".py"))
    .sort();
}
