// Every outside process nixkit starts has one home: only src/nix/ starts nix (its argv built in
// src/nix/args.ts), and git, bash and skopeo each live in one named module.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { repoRoot } from "../helpers.js";

/** The modules allowed to start processes, and what each one starts. */
const PROCESS_HOMES: Record<string, string> = {
  "src/nix/process.ts": "nix and nix-store (node:child_process)",
  "src/nix/print-dev-env.ts": "nix print-dev-env on the shell's light path (node:child_process)",
  "src/shell/launch.ts": "bash (and zsh or fish) for the dev environment",
  "src/util/git.ts": "git",
  "src/image/registry.ts": "skopeo",
  "src/node/npm-config.ts": "npm config get registry",
  "src/python/index.ts": "python3, for the index pip uses when nothing else names one",
  "src/offline/host-query.ts": "ldd, dpkg-query, go env and rustc --print sysroot, while the offline package set is prepared",
  "src/go/modules.ts": "go env GOPROXY",
  "src/rust/registries.ts": "cargo vendor, for where the registries cargo is configured with serve crates",
};

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    return entry.isDirectory() ? sourceFiles(rel) : rel.endsWith(".ts") ? [rel] : [];
  });
}

const sources = sourceFiles("src").map((file) => ({ file, text: readFileSync(path.join(repoRoot, file), "utf8") }));
const importsFrom = (text: string, module: RegExp) =>
  [...text.matchAll(/(?:from\s+|import\(\s*|require\(\s*)["']([^"']+)["']/g)].some((m) => module.test(m[1]!));

test("only the named homes import a process module", () => {
  const starting = sources.filter(({ text }) => importsFrom(text, /^(node:)?child_process$|^execa$/)).map(({ file }) => file);
  expect(starting.sort()).toEqual(Object.keys(PROCESS_HOMES).sort());
});

test("nix is started only from src/nix/, with argv from src/nix/args.ts", () => {
  const outside = sources.filter(({ file }) => !file.startsWith("src/nix/"));
  // Nix's own flags and subcommands spelled outside the door would be a second door.
  const spelled = outside.filter(({ text }) =>
    /["'](--extra-experimental-features|nix-command flakes|print-dev-env|path-info|--print-roots)["']/.test(text),
  );
  expect(spelled.map(({ file }) => file)).toEqual([]);
  const nixStarters = Object.keys(PROCESS_HOMES).filter((file) => file.startsWith("src/nix/"));
  for (const file of nixStarters) expect(PROCESS_HOMES[file]).toMatch(/nix/);
});

test("git, bash and skopeo each run from their home only", () => {
  for (const [program, home] of [
    ["git", "src/util/git.ts"],
    ["skopeo", "src/image/registry.ts"],
  ] as const) {
    const runners = sources
      .filter(({ text }) => new RegExp(`(execa|execFile|execFileSync|spawn)\\(\\s*["']${program}["']`).test(text))
      .map(({ file }) => file);
    expect(runners).toEqual([home]);
  }
  const bash = sources.filter(({ text }) => /(execFileSync|spawn)\(\s*bashPath\(/.test(text)).map(({ file }) => file);
  expect(bash).toEqual(["src/shell/launch.ts"]);
});
