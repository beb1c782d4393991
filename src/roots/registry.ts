// The GC roots nixkit owns for a project, used by builds, tests, images, the shell, the cache
// and gc. Builds, tests and images: .nixkit/cache/gcroots/<kind>/<name>/<generation>/, each
// generation a directory of out-links made by one nix call, and made only when the rooted
// paths change (an unchanged run touches nothing in the project). The shell: the generations
// of the Nix profile `nix print-dev-env --profile` keeps (profile -> profile-N-link -> env).
import { lstatSync, mkdtempSync, promises as fs, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import type { NixDriver } from "../nix/driver.js";
import { makeDirs, readLinkIfExists } from "../state/atomic.js";
import { pidAlive } from "../state/lock.js";
import { projectPaths, userCachePaths } from "../state/layout.js";

export type RootKind = "builds" | "tests" | "images";
export const ROOT_KINDS: RootKind[] = ["builds", "tests", "images"];
/** What a closure is rooted for: the dev shell or one of the root kinds. */
export type ClosureKind = "shell" | RootKind;
export const CLOSURE_KINDS: ClosureKind[] = ["shell", ...ROOT_KINDS];

export interface Generation {
  kind: ClosureKind;
  name: string;
  number: number;
  /** The link(s) to remove to drop the generation. */
  links: string[];
  /** The generation's own directory (not for the shell, whose links sit in the profile's directory). */
  dir?: string;
  storePaths: string[];
  /** When it was made (the links' mtime). */
  createdMs: number;
}

const kindDir = (projectDir: string, kind: RootKind) => path.join(projectPaths(projectDir).gcRoots, kind);

/** Generations of kind/name, newest first. */
export function generationsOf(projectDir: string, kind: RootKind, name: string): Generation[] {
  const dir = path.join(kindDir(projectDir, kind), name);
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
        dir: genDir,
        storePaths: links.map((l) => readLinkIfExists(l)).filter((p): p is string => p !== undefined),
        createdMs: statSync(genDir).mtimeMs,
      };
    })
    .sort((a, b) => b.number - a.number);
}

/** The dev shell's generations (of its Nix profile), newest first. */
export function shellGenerations(projectDir: string): Generation[] {
  const dir = projectPaths(projectDir).shell.dir;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, match: name.match(/^profile-(\d+)-link$/) }))
    .filter((e) => e.match)
    .map(({ name, match }) => {
      const link = path.join(dir, name);
      const target = readLinkIfExists(link);
      return {
        kind: "shell" as const,
        name: "env",
        number: Number(match![1]),
        links: [link],
        storePaths: target ? [target] : [],
        createdMs: lstatSync(link).mtimeMs,
      };
    })
    .sort((a, b) => b.number - a.number);
}

export function rootNames(projectDir: string, kind: RootKind): string[] {
  try {
    return readdirSync(kindDir(projectDir, kind)).sort();
  } catch {
    return [];
  }
}

/** Every root of the project, each as its generations (newest first): the shell's, then each kind's. */
export function allRoots(projectDir: string): Generation[][] {
  return [
    shellGenerations(projectDir),
    ...ROOT_KINDS.flatMap((kind) => rootNames(projectDir, kind).map((name) => generationsOf(projectDir, kind, name))),
  ];
}

/** The store paths of the newest generation of every root of each kind. */
export function knownRoots(projectDir: string, kinds: ClosureKind[]): Map<ClosureKind, string[]> {
  const roots = new Map<ClosureKind, string[]>();
  for (const kind of kinds) {
    const paths =
      kind === "shell"
        ? (shellGenerations(projectDir)[0]?.storePaths ?? [])
        : rootNames(projectDir, kind).flatMap((name) => generationsOf(projectDir, kind, name)[0]?.storePaths ?? []);
    roots.set(kind, paths);
  }
  return roots;
}

/** Every store path a generation of the project roots. */
export function rootedStorePaths(projectDir: string): Set<string> {
  return new Set(allRoots(projectDir).flatMap((generations) => generations.flatMap((g) => g.storePaths)));
}

/** `[]` or `all` means every kind; undefined when a word is not a kind. */
export function parseKinds(words: string[]): ClosureKind[] | undefined {
  if (words.length === 0 || words.includes("all")) return CLOSURE_KINDS;
  return words.every((w) => (CLOSURE_KINDS as string[]).includes(w)) ? (words as ClosureKind[]) : undefined;
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
  const genDir = path.join(kindDir(projectDir, kind), name, String((latest?.number ?? 0) + 1));
  makeDirs(genDir);
  await driver.addRoots(storePaths, path.join(genDir, "root"));
}

/** Removes a generation's links, and its directory when it has one. */
export async function dropGeneration(generation: Generation): Promise<void> {
  for (const link of generation.links) await fs.rm(link, { force: true });
  if (generation.dir) await fs.rm(generation.dir, { recursive: true, force: true });
}

/**
 * Runs a build with a temporary out-link outside the project, so what it builds is a GC root
 * from the moment Nix finishes until the caller has rooted it for good: a concurrent
 * `nix store gc` cannot collect it in between.
 */
export async function withTemporaryRoots<T>(build: (outLink: string) => Promise<T>): Promise<T> {
  const base = userCachePaths().tmpRoots;
  makeDirs(base);
  sweepTemporaryRoots();
  const dir = mkdtempSync(path.join(base, `${process.pid}-`));
  try {
    return await build(path.join(dir, "r"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let processRoots: string | undefined;

/**
 * A directory for temporary roots that lasts as long as this process: what is rooted there stays
 * out of a concurrent GC's reach until nixkit exits (a killed nixkit's is swept by the next one).
 */
export function processTemporaryRoots(): string {
  if (processRoots) return processRoots;
  const base = userCachePaths().tmpRoots;
  makeDirs(base);
  sweepTemporaryRoots();
  const dir = mkdtempSync(path.join(base, `${process.pid}-`));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return (processRoots = dir);
}

/** Removes the temporary roots of nixkit processes that were killed (their pid no longer runs). */
export function sweepTemporaryRoots(): void {
  const base = userCachePaths().tmpRoots;
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.match(/^(\d+)-/)?.[1]);
    if (pid && !pidAlive(pid)) rmSync(path.join(base, name), { recursive: true, force: true });
  }
}
