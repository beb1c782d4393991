// Injection-proof serialization, checked by real Nix: arbitrary strings in every string field of
// the manifest go through YAML, the schema and the serializer into flake.nix, and `nix eval` of
// that flake gives back exactly the original strings. All cases are evaluated in one nix call.
import fc from "fast-check";
import { mkdirSync, writeFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import path from "node:path";
import { expect, test } from "vitest";
import { flakeData } from "../../src/generate/flake-data.js";
import { renderFlake } from "../../src/generate/flake.js";
import { toNix, type NixValue } from "../../src/generate/to-nix.js";
import { parseManifest } from "../../src/manifest/parse.js";
import { unsupportedGlob } from "../../src/manifest/rules.js";
import { nix, tempDir, versioned } from "../helpers.js";

const RUNS = Number(process.env.NIXKIT_PROPERTY_RUNS ?? 1000);

// Strings built from the pieces that break naive escaping, mixed with arbitrary unicode.
const nasty = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '"',
        "\\",
        "${",
        "''",
        "$",
        "$$",
        "''${",
        "\\${",
        "'''",
        "\n",
        "\r",
        "\t",
        "#",
        ";",
        "}",
        "{",
        "\u2028",
        "é",
        "🦀",
        " ",
      ),
      fc.string({ unit: "grapheme", maxLength: 6 }),
      fc.string({ unit: "binary", maxLength: 4 }),
    ),
    { maxLength: 12 },
  )
  .map((parts) =>
    parts
      .join("")
      .replace(/\0/g, "")
      .replace(/[\uD800-\uDFFF]/g, "?"),
  );

// Globs that stay inside the project (the schema rejects the others, by design).
const glob = nasty.filter((g) => {
  const pattern = g.replace(/^!/, "");
  return pattern !== "" && !pattern.startsWith("/") && !pattern.split("/").includes("..") && !unsupportedGlob.test(pattern);
});

const caseArb = fc.record({
  description: nasty,
  url: nasty.filter((u) => u !== ""),
  envValue: nasty,
  hook: nasty,
  script: nasty,
  buildEnv: nasty,
  include: glob,
  exclude: glob,
  testScript: nasty,
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

// Written as JSON, which YAML reads as it is: yaml's own writer does not round-trip every string
// (block scalars lose a whitespace-only first line; a double-quoted string with a control
// character and a space-only line comes back with a backslash, seed 2144321332). nixkit's one YAML
// writer, for CI files (ci/generate.ts), reads its output back and refuses what differs.
function manifestYaml(c: Case): string {
  return JSON.stringify({
    version: 1,
    name: "prop",
    description: c.description,
    inputs: { nixpkgs: c.url },
    shell: { env: { VALUE: c.envValue }, hook: c.hook },
    builds: { app: { src: { include: [c.include], exclude: [c.exclude] }, env: { BUILD_VALUE: c.buildEnv }, script: c.script } },
    tests: { unit: { script: c.testScript } },
  });
}

// A stand-in library that returns the manifest data, so the evaluation reads the generated
// flake.nix exactly as written without needing nixpkgs.
const dataOnlyLibrary = "{ inputs, pkgsFor, root, manifest }: manifest\n";

test(
  versioned(`every string field round-trips through flake.nix and nix eval (${RUNS} cases)`, "the Nix parser's strings and escapes"),
  async () => {
    const dir = tempDir();
    await fc.assert(
      fc.asyncProperty(fc.array(caseArb, { minLength: RUNS, maxLength: RUNS }), async (cases) => {
        const expected = cases.map((c, i) => {
          const { manifest } = parseManifest(manifestYaml(c));
          expect([manifest.description, manifest.shell.hook, manifest.builds.app!.script]).toEqual([c.description, c.hook, c.script]);
          const caseDir = path.join(dir, `case-${i}`);
          mkdirSync(path.join(caseDir, ".nixkit/lib"), { recursive: true });
          writeFileSync(
            path.join(caseDir, "flake.nix"),
            renderFlake(manifest, { manifest: "0".repeat(64), source: "0".repeat(64) }, { npmRegistry: null }),
          );
          writeFileSync(path.join(caseDir, ".nixkit/lib/default.nix"), dataOnlyLibrary);
          return { description: c.description, url: c.url, manifest: flakeData(manifest, { npmRegistry: null }) };
        });
        const expression = `map (dir: let flake = import (dir + "/flake.nix"); in {
        description = flake.description;
        url = flake.inputs.nixpkgs.url;
        manifest = flake.outputs { };
      }) [ ${cases.map((_, i) => `./case-${i}`).join(" ")} ]`;
        writeFileSync(path.join(dir, "all.nix"), expression);
        const result = await nix(["eval", "--json", "--file", "all.nix"], dir);
        expect(result.exitCode, result.stderr).toBe(0);
        const evaluated = JSON.parse(result.stdout) as unknown[];
        const mismatch = expected.findIndex((e, i) => !isDeepStrictEqual(e, evaluated[i]));
        // JSON text makes invisible differences (CR, U+2028, combining marks) readable.
        expect(mismatch === -1 ? "" : `${JSON.stringify(expected[mismatch])}\n${JSON.stringify(evaluated[mismatch])}`).toBe("");
      }),
      // One run is a batch of RUNS cases; shrinking would re-run nix on every step.
      { numRuns: 1, endOnFailure: true, seed: 2121 },
    );
  },
);

test(
  versioned(`attribute names of any text are quoted so Nix reads them back (${RUNS} cases)`, "the Nix parser's attribute names"),
  async () => {
    const dir = tempDir();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.dictionary(nasty, nasty, { maxKeys: 3 }), { minLength: RUNS, maxLength: RUNS }), async (sets) => {
        writeFileSync(path.join(dir, "sets.nix"), toNix(sets as NixValue));
        const result = await nix(["eval", "--json", "--file", "sets.nix"], dir);
        expect(result.exitCode, result.stderr).toBe(0);
        expect(JSON.parse(result.stdout)).toEqual(sets);
      }),
      { numRuns: 1, seed: 2121 },
    );
  },
);
