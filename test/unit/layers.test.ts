// The layer table of the README, held against the code's imports: each layer imports only from
// the layers below it (or its own), features never import one another (what they share goes
// through the workflows), and no two folders import each other.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { repoRoot } from "../helpers.js";

/** Top to bottom; a folder (or a file directly under src/) belongs to the first layer naming it. */
const LAYERS: [string, string[]][] = [
  ["entry", ["main.ts", "cli.ts", "cli"]],
  ["commands", ["commands"]],
  ["workflows", ["workflows"]],
  ["features", ["builds", "test-runner", "shell", "image", "cache", "ci", "gc", "doctor", "scaffold"]],
  ["roots", ["roots"]],
  ["generation", ["generate"]],
  ["nix, manifest", ["nix", "manifest", "offline", "node", "python", "go", "rust", "sources"]],
  ["state, util", ["state", "util"]],
];
const FEATURES = LAYERS[3]![1];

const unitOf = (file: string) => file.split("/")[1]!;
const layerOf = (unit: string) => LAYERS.findIndex(([, units]) => units.includes(unit));

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    return entry.isDirectory() ? sourceFiles(rel) : rel.endsWith(".ts") ? [rel] : [];
  });
}

/** Every relative import as [importing file, imported file], both as `src/…`. */
const edges = sourceFiles("src").flatMap((file) =>
  [...readFileSync(path.join(repoRoot, file), "utf8").matchAll(/(?:from\s+|import\(\s*)"(\.[^"]+)"/g)].map(
    (m) => [file, path.posix.join(path.posix.dirname(file), m[1]!).replace(/\.js$/, ".ts")] as const,
  ),
);

test("every source folder has a layer", () => {
  expect(edges.length).toBeGreaterThan(200);
  const units = new Set(sourceFiles("src").map(unitOf));
  expect([...units].filter((u) => layerOf(u) < 0)).toEqual([]);
});

test("no import runs up the table", () => {
  const upward = edges.filter(([from, to]) => layerOf(unitOf(to)) < layerOf(unitOf(from))).map(([from, to]) => `${from} -> ${to}`);
  expect(upward).toEqual([]);
});

test("features do not import each other", () => {
  const across = edges
    .filter(([from, to]) => unitOf(from) !== unitOf(to) && FEATURES.includes(unitOf(from)) && FEATURES.includes(unitOf(to)))
    .map(([from, to]) => `${from} -> ${to}`);
  expect(across).toEqual([]);
});

test("no two folders import each other", () => {
  const pairs = new Set(edges.filter(([a, b]) => unitOf(a) !== unitOf(b)).map(([a, b]) => `${unitOf(a)} ${unitOf(b)}`));
  const both = [...pairs].filter((pair) => pairs.has(pair.split(" ").reverse().join(" ")));
  expect(both).toEqual([]);
});
