// The dev shell's GC roots: the generations of the Nix profile `nix print-dev-env --profile`
// keeps in .nixkit/cache/shell (profile -> profile-N-link -> the env's store path).
import { lstatSync, readdirSync } from "node:fs";
import path from "node:path";
import { shellCacheDir } from "../shell/cache.js";
import { readLinkIfExists } from "../util/atomic.js";
import type { Generation } from "./roots.js";

export function shellGenerations(projectDir: string): Generation[] {
  const dir = shellCacheDir(projectDir);
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
