// The store paths nixkit knows about for this project, by kind: the newest generation of each
// root (the dev shell's env, each build, the test results, each image root).
import { generationsOf, rootNames, type RootKind } from "../gc/roots.js";
import { shellGenerations } from "../gc/shell-generations.js";

export type ClosureKind = "shell" | RootKind;
export const CLOSURE_KINDS: ClosureKind[] = ["shell", "builds", "tests", "images"];

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

export function parseKinds(words: string[]): ClosureKind[] | undefined {
  if (words.length === 0 || words.includes("all")) return CLOSURE_KINDS;
  return words.every((w) => (CLOSURE_KINDS as string[]).includes(w)) ? (words as ClosureKind[]) : undefined;
}
