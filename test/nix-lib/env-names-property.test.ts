// No manifest `env` name can change how Nix builds a derivation. Generated names (plain ones,
// the names Nix and stdenv interpret, and variants of their patterns) go through the schema; the
// dangerous ones must be refused, and every accepted one is evaluated for real (nixkit's library on
// the offline package set): the derivation it yields has the same builder, args, system, outputs
// and output hash (none) as one without env, and its environment gains exactly that variable.
import fc from "fast-check";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { generatePlan, readPlanInputs } from "../../src/generate/plan.js";
import { ManifestError } from "../../src/manifest/problems.js";
import { parseManifest } from "../../src/manifest/parse.js";
import { nix, tempDir, versioned } from "../helpers.js";
import { offlinePkgs } from "../e2e/project.js";

const RUNS = Number(process.env.NIXKIT_PROPERTY_RUNS ?? 300);

// Names that must never pass, whatever the implementation's list says (Nix manual: derivations,
// advanced attributes; nixpkgs make-derivation.nix and setup.sh).
const DANGEROUS = [
  "outputHash",
  "outputHashAlgo",
  "outputHashMode",
  "impureEnvVars",
  "__noChroot",
  "__impure",
  "__structuredAttrs",
  "__contentAddressed",
  "__sandboxProfile",
  "__darwinAllowLocalNetworking",
  "allowedReferences",
  "allowedRequisites",
  "disallowedReferences",
  "disallowedRequisites",
  "exportReferencesGraph",
  "builder",
  "system",
  "args",
  "outputs",
  "name",
  "passAsFile",
  "preferLocalBuild",
  "allowSubstitutes",
  "requiredSystemFeatures",
  "phases",
  "buildPhase",
  "installPhase",
  "prePhases",
  "preBuild",
  "postInstall",
  "doCheck",
  "dontBuild",
  "dontUnpack",
  "patches",
  "strictDeps",
  "env",
  "src",
  "nativeBuildInputs",
  "nixkitScript",
];

const identifier = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/);
const nameArb = fc.oneof(
  fc.constantFrom(...DANGEROUS),
  identifier,
  identifier.map((n) => `__${n}`),
  identifier.map((n) => `outputHash${n}`),
  identifier.map((n) => `pre${n[0]!.toUpperCase()}${n.slice(1)}`),
  identifier.map((n) => `${n}Phase`),
  identifier.map((n) => `dont${n[0]!.toUpperCase()}${n.slice(1)}`),
);

const isDangerousPattern = (n: string) => DANGEROUS.includes(n) || /^__|^outputHash|Phases?$|^(pre|post|do|dont)[A-Z]/.test(n);

const manifestWith = (names: string[], nixpkgs: string) =>
  [
    "version: 1",
    "name: envnames",
    "systems: [x86_64-linux]",
    `inputs: { nixpkgs: ${JSON.stringify(nixpkgs)} }`,
    "builds:",
    "  base: { script: 'mkdir $out' }",
    ...names.map((n, i) => `  b${i}: { env: { ${n}: v${i} }, script: 'mkdir $out' }`),
    "",
  ].join("\n");

test(
  versioned(
    `env names: the dangerous ones are refused, the accepted ones are plain variables (${RUNS} names)`,
    "what builtins.derivation makes of attributes",
  ),
  async () => {
    const names = fc.sample(nameArb, { numRuns: RUNS, seed: 42 });
    const accepted: string[] = [];
    for (const name of new Set(names)) {
      let refused = false;
      try {
        parseManifest(manifestWith([name], "path:/x"));
      } catch (error) {
        expect(error).toBeInstanceOf(ManifestError);
        expect((error as Error).message).toContain(`env.${name}`);
        refused = true;
      }
      if (isDangerousPattern(name)) expect(refused, `${name} must be refused`).toBe(true);
      if (!refused) accepted.push(name);
    }
    expect(accepted.length).toBeGreaterThan(20);

    const dir = tempDir();
    const { manifest } = parseManifest(manifestWith(accepted, offlinePkgs()));
    for (const file of generatePlan(manifest, "", await readPlanInputs(manifest, "", dir))) {
      mkdirSync(path.dirname(path.join(dir, file.path)), { recursive: true });
      writeFileSync(path.join(dir, file.path), file.content);
    }
    // builtins.derivation's own view: what Nix will build, before any build.
    const shape = (drv: string) =>
      `{ inherit (${drv}.drvAttrs) builder system; args = ${drv}.drvAttrs.args or null; outputs = ${drv}.drvAttrs.outputs or null; hash = ${drv}.drvAttrs.outputHash or null; noChroot = ${drv}.drvAttrs.__noChroot or null; env = builtins.attrNames ${drv}.drvAttrs; }`;
    const expr = `let pkgs = (builtins.getFlake (toString ./.)).packages.x86_64-linux; in { base = ${shape("pkgs.base")}; cases = [ ${accepted
      .map((_, i) => shape(`pkgs.b${i}`))
      .join(" ")} ]; }`;
    writeFileSync(path.join(dir, "shapes.nix"), expr);
    const lock = await nix(["flake", "lock"], dir);
    expect(lock.exitCode, lock.stderr).toBe(0);
    const result = await nix(["eval", "--impure", "--json", "--file", "shapes.nix"], dir);
    expect(result.exitCode, result.stderr).toBe(0);
    const { base, cases } = JSON.parse(result.stdout) as {
      base: Record<string, unknown> & { env: string[] };
      cases: (Record<string, unknown> & { env: string[] })[];
    };
    expect(base.hash).toBeNull();
    cases.forEach((c, i) => {
      const { env, ...rest } = c;
      const { env: baseEnv, ...baseRest } = base;
      expect(rest, accepted[i]).toEqual(baseRest);
      expect([...env].sort(), accepted[i]).toEqual([...baseEnv, accepted[i]!].sort());
    });
  },
);
