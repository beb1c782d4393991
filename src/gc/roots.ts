// GC roots nixkit owns, under .nixkit/cache/gcroots/<kind>/<name>/<generation>/: each
// generation is a directory of out-links made by one nix call. A new generation is made only
// when the rooted paths change, so an unchanged run touches nothing in the project.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import type { NixDriver } from "../nix/driver.js";
import { readLinkIfExists } from "../util/atomic.js";
import { userCachePath } from "../util/user-cache.js";

export type RootKind = "builds" | "tests" | "images";
export const ROOT_KINDS: RootKind[] = ["builds", "tests", "images"];

export const gcRootsDir = (projectDir: string): string => path.join(projectDir, ".nixkit", "cache", "gcroots");

export interface Generation {
  kind: RootKind | "shell";
  name: string;
  number: number;
  /** The link(s) to remove to drop the generation. */
  links: string[];
  storePaths: string[];
  /** When it was made (the links' mtime). */
  createdMs: number;
}

export function generationsOf(projectDir: string, kind: RootKind, name: string): Generation[] {
  const dir = path.join(gcRootsDir(projectDir), kind, name);
  let entries: string[];
  try {
    entries = readdirSync(dir).filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  return entries
    .map((entry) => {
      const genDir = path.join(dir, entry);
      const links = readdirSync(genDir)
        .sort()
        .map((l) => path.join(genDir, l));
      return {
        kind,
        name,
        number: Number(entry),
        links,
        storePaths: links.map((l) => readLinkIfExists(l)).filter((p): p is string => p !== undefined),
        createdMs: statSync(genDir).mtimeMs,
      };
    })
    .sort((a, b) => b.number - a.number);
}

/** Roots `storePaths` as the newest generation of kind/name, unless that is what it already is. */
export async function rootGeneration(
  driver: NixDriver,
  projectDir: string,
  kind: RootKind,
  name: string,
  storePaths: string[],
): Promise<void> {
  if (storePaths.length === 0) return;
  const [latest] = generationsOf(projectDir, kind, name);
  const wanted = [...storePaths].sort().join("\n");
  if (latest && [...latest.storePaths].sort().join("\n") === wanted) return;
  const genDir = path.join(gcRootsDir(projectDir), kind, name, String((latest?.number ?? 0) + 1));
  mkdirSync(genDir, { recursive: true });
  await driver.addRoots(storePaths, path.join(genDir, "root"));
}

/**
 * Runs a build with a temporary out-link outside the project, so what it builds is a GC root
 * from the moment Nix finishes until the caller has rooted it for good: a concurrent
 * `nix store gc` cannot collect it in between.
 */
export async function withTemporaryRoots<T>(build: (outLink: string) => Promise<T>): Promise<T> {
  const base = userCachePath("tmp-roots");
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, `${process.pid}-`));
  try {
    return await build(path.join(dir, "r"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function rootNames(projectDir: string, kind: RootKind): string[] {
  try {
    return readdirSync(path.join(gcRootsDir(projectDir), kind)).sort();
  } catch {
    return [];
  }
}
