// E2E project fixtures: the example copied into a temp dir, locked to the offline package set
// through its manifest, so plain `nix` commands work on it without nixkit or --override-input.
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, inject } from "vitest";
import { nix, nixkit, repoRoot, tempDir } from "../helpers.js";

export const offlinePkgs = () => inject("offlinePkgs");

export function useOfflineNixpkgs(dir: string): void {
  const file = path.join(dir, "nixkit.yaml");
  const text = readFileSync(file, "utf8").replace(/^ {2}nixpkgs: .*$/m, `  nixpkgs: ${JSON.stringify(offlinePkgs())}`);
  writeFileSync(file, text);
}

/** A copy of examples/NAME in a temp dir (optionally in a subdirectory with an awkward name). */
export function exampleProject(name = "hello", subdir = ""): string {
  const dir = path.join(tempDir(`nixkit-${name}-`), subdir);
  cpSync(path.join(repoRoot, "examples", name), dir, { recursive: true });
  useOfflineNixpkgs(dir);
  return dir;
}

export function editFile(file: string, edit: (text: string) => string): void {
  writeFileSync(file, edit(readFileSync(file, "utf8")));
}

/**
 * The example whose greet build is its own (a stamp of `runId` and a random number), so stores
 * and caches start without it, and whose manifest names `cache`.
 */
export function exampleWithCache(runId: string, url: string, publicKeys: string[]): string {
  const dir = exampleProject();
  editFile(
    path.join(dir, "nixkit.yaml"),
    (t) =>
      t.replace('chmod +x "$out/bin/greet"', `chmod +x "$out/bin/greet"\n      echo ${runId}-${Math.random()} > "$out/share/greet/stamp"`) +
      `cache:\n  url: ${url}\n  publicKeys: ${JSON.stringify(publicKeys)}\n`,
  );
  return dir;
}

/** The store path `nixkit build` printed for a build. */
export const outOf = (stdout: string, name: string): string | undefined =>
  new RegExp(`^${name}\\s+(/nix/store/\\S+)`, "m").exec(stdout)?.[1];

/** The tarballs a `nixkit -v` run downloaded (it logs every download Nix makes), by file name. */
export const fetchedTarballs = (log: string): string[] =>
  [...new Set([...log.matchAll(/downloading \S+\/([^/\s]+\.tgz)$/gm)].map((m) => m[1]!))].sort();

/**
 * Deletes from the store the downloads of the project's Node installs (generating its flake
 * first), so that the next build fetches them again: for downloads nothing refers to, which the
 * caller knows (Nix refuses to delete a live path, and the test fails).
 */
export async function deleteDownloads(dir: string): Promise<void> {
  expect((await nixkit(["generate"], { cwd: dir })).exitCode).toBe(0);
  const installs = await nix(["eval", "--json", ".#legacyPackages.x86_64-linux.nixkit.npmInstalls"], dir);
  const downloads = (JSON.parse(installs.stdout) as { downloads: { path: string }[] }[]).flatMap((i) => i.downloads.map((d) => d.path));
  for (const download of downloads.filter((p) => existsSync(p))) expect((await nix(["store", "delete", download], dir)).exitCode).toBe(0);
}
