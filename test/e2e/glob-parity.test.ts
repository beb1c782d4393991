// The sandbox gets exactly the entries fast-glob lists for a build's src patterns (with
// nixkit's options: dotfiles match, symlinks are kept as symlinks, not followed), on a tree
// with dotfiles, nested **, negations, symlinks, spaces and unicode names.
import fg from "fast-glob";
import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { expect, test } from "vitest";
import { nix, nixkit, repoRoot, tempDir, writeTree, versioned } from "../helpers.js";
import { offlinePkgs } from "./project.js";

const tree: Record<string, string> = {
  ".hidden": "h",
  ".config/app.json": "{}",
  "src/main.js": "m",
  "src/util/helper.js": "h",
  "src/util/helper.test.js": "t",
  "src/deep/a/b/c/d.ts": "d",
  "src/.env": "e",
  ".npmrc": "registry=https://npm.example/",
  "src/.env.local": "e",
  "src/with space.txt": "s",
  "src/ünï cødé.md": "u",
  "src/a+b(1).txt": "p",
  "src/$dollar.txt": "d",
  "docs/readme.md": "r",
  "node_modules/pkg/index.js": "i",
  Makefile: "all:",
};

const patternSets: { include?: string[]; exclude?: string[] }[] = [
  { include: ["src/**"] },
  { include: ["**/*.js"], exclude: ["node_modules/**", "**/*.test.*"] },
  { include: ["**", "!node_modules/**"], exclude: ["docs"] },
  { include: ["src/{util,deep}/**/*.{js,ts}", "*.md", "Makefile"] },
  { include: ["**/.*", "src/?[!x]*"] },
  { include: ["link-*", "broken-link", "src/*.txt"] },
  { include: ["**"], exclude: ["**/*space*", "src/ü*", "node_modules"] },
  { include: ["src/main{,.js}", "docs/readme{.md,}", "src/util/helper{.test,}.js"] },
  { include: ["src/.env", "src/main.js", "**/.npmrc"] }, // a credential file named by its path is kept
  {}, // no src: the whole project less nixkit's own files
];

// What nixkit always leaves out (nix/lib/source.nix), and with no src also its generated files.
const ALWAYS = [".git", ".hg", ".svn", ".direnv", ".nixkit", "result", "result-*"];
const GENERATED = ["flake.nix", "flake.lock", "nixkit.yaml"];
// Credential files are left out of every source unless an include pattern is their own path.
const CREDENTIALS = /(^|\/)(\.npmrc|\.pypirc|\.netrc|\.env(\.[^/]*)?)$/;

test(versioned("source filtering matches fast-glob exactly", "builtins.path's filter and builtins.match's regex engine"), async () => {
  const dir = tempDir();
  writeTree(dir, tree);
  mkdirSync(path.join(dir, "docs/empty"));
  mkdirSync(path.join(dir, "node_modules/.bin"));
  symlinkSync("../pkg/index.js", path.join(dir, "node_modules/.bin/tool"));
  symlinkSync("src", path.join(dir, "link-to-src"));
  symlinkSync("src/main.js", path.join(dir, "link-to-main"));
  symlinkSync("nowhere", path.join(dir, "broken-link"));

  const builds = Object.fromEntries(
    patternSets.map((set, i) => [
      `set${i}`,
      {
        ...(set.include || set.exclude ? { src: { include: set.include ?? ["**"], exclude: set.exclude ?? [] } } : {}),
        script: 'find . ! -type d | sed "s|^\\./||" > "$out"',
      },
    ]),
  );
  writeTree(dir, {
    "nixkit.yaml": stringify({ version: 1, name: "globs", systems: ["x86_64-linux"], inputs: { nixpkgs: offlinePkgs() }, builds }),
  });
  const built = await nixkit(["-C", dir, "--json", "build"]);
  expect(built.exitCode, built.stderr).toBe(0);
  const outputs = JSON.parse(built.stdout).builds as { name: string; outPath: string }[];

  for (const [i, set] of patternSets.entries()) {
    const inSandbox = readFileSync(outputs.find((o) => o.name === `set${i}`)!.outPath, "utf8")
      .split("\n")
      .filter(Boolean)
      .sort();
    const include = set.include ?? ["**"];
    const negated = include.filter((p) => p.startsWith("!")).map((p) => p.slice(1));
    const ignore = [...ALWAYS, ...(set.include || set.exclude ? [] : GENERATED), ...(set.exclude ?? []), ...negated];
    const listed = fg
      .sync(
        include.filter((p) => !p.startsWith("!")),
        { cwd: dir, dot: true, followSymbolicLinks: false, onlyFiles: false, markDirectories: true, ignore },
      )
      .filter((entry) => !entry.endsWith("/"))
      .filter((entry) => !CREDENTIALS.test(entry) || include.includes(entry))
      .sort();
    expect(inSandbox, `pattern set ${i}: ${JSON.stringify(set)}`).toEqual(listed);
    expect(listed.length, `pattern set ${i} lists something`).toBeGreaterThan(0);
  }
});

test("no compiled pattern has an empty alternative, which macOS's regex engine rejects", async () => {
  const patterns = ["a{,b}", "a{b,}", "{,}x", "a{}b", "{x,,y}/**/*.{js,}"];
  const expr = `let g = import ${path.join(repoRoot, "nix/lib/glob.nix")} { lib = import ${path.join(repoRoot, "nix/offline-pkgs/lib.nix")}; }; in map g.toRegex [ ${patterns.map((p) => JSON.stringify(p)).join(" ")} ]`;
  const evaluated = await nix(["eval", "--json", "--impure", "--expr", expr], repoRoot);
  expect(evaluated.exitCode, evaluated.stderr).toBe(0);
  const regexes = JSON.parse(evaluated.stdout) as string[];
  for (const regex of regexes) expect(regex).not.toMatch(/\(\||\|\)|\|\||\(\)/);
  expect(regexes[0]).toBe("a(b)?");
});
