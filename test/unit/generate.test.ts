import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { applyPlan } from "../../src/generate/apply.js";
import { findDrift } from "../../src/generate/freshness.js";
import { isUntouchedGenerated, readFlakeHeader } from "../../src/generate/header.js";
import { generatePlan, readPlanInputs } from "../../src/generate/plan.js";
import { parseManifest } from "../../src/manifest/parse.js";
import { UserError } from "../../src/util/errors.js";
import { sha256 } from "../../src/util/hash.js";
import { repoRoot, snapshotTree, tempDir } from "../helpers.js";

const example = readFileSync(path.join(repoRoot, "examples/hello/nixkit.yaml"), "utf8");
const planFor = async (text: string) => {
  const { manifest } = parseManifest(text);
  return generatePlan(manifest, text, await readPlanInputs(manifest, text, repoRoot));
};
const withoutHeader = (files: { path: string; content: string }[]) =>
  files.map((f) => ({ ...f, content: f.content.replace(/^# nixkit-generated:.*$/m, "") }));

describe("generate plan", () => {
  test("flake.nix for the example (snapshot)", async () => {
    const flake = (await planFor(example)).find((f) => f.path === "flake.nix")!.content;
    expect(flake.replace(/nixkit=\S+ manifest=[0-9a-f]{64} source=[0-9a-f]{64} content=[0-9a-f]{64}/, "<hashes>")).toMatchSnapshot();
  });

  test("vendors every file of nix/lib", async () => {
    const vendored = (await planFor(example)).filter((f) => f.path.startsWith(".nixkit/lib/")).map((f) => path.basename(f.path));
    expect(vendored).toEqual(
      readdirSync(path.join(repoRoot, "nix/lib"))
        .filter((n) => n.endsWith(".nix") || n.endsWith(".cjs") || n.endsWith(".py"))
        .sort(),
    );
  });

  test("is deterministic and independent of key order in the manifest", async () => {
    const reordered =
      example.replace("description: Greets people by name and counts them\n", "") + "description: Greets people by name and counts them\n";
    expect(withoutHeader(await planFor(reordered))).toEqual(withoutHeader(await planFor(example)));
  });

  test("the header records the source hash and a content hash that detects edits", async () => {
    const flake = (await planFor(example))[0]!.content;
    expect(readFlakeHeader(flake)).toEqual({
      nixkit: expect.stringMatching(/^\d+\.\d+\.\d+/),
      manifest: sha256(example),
      source: expect.stringMatching(/^[0-9a-f]{64}$/),
      content: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(isUntouchedGenerated(flake)).toBe(true);
    expect(isUntouchedGenerated(flake.replace("inherit inputs;", "inherit inputs; # mine"))).toBe(false);
    expect(isUntouchedGenerated("{ outputs = _: { }; }")).toBe(false);
  });
});

describe("drift and apply", () => {
  test("a fresh project is all missing, then up to date after apply", async () => {
    const dir = tempDir();
    const plan = await planFor(example);
    expect((await findDrift(dir, plan)).map((d) => d.kind)).toEqual(plan.map(() => "missing"));
    await applyPlan(dir, plan, false);
    expect(await findDrift(dir, plan)).toEqual([]);
    expect(readdirSync(dir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  test("a manifest change makes flake.nix stale, with a line summary", async () => {
    const dir = tempDir();
    await applyPlan(dir, await planFor(example), false);
    const drifts = await findDrift(dir, await planFor(example.replace("GREETING: Hello", "GREETING: Howdy")));
    expect(drifts).toEqual([{ path: "flake.nix", kind: "stale", added: 2, removed: 2 }]);
  });

  test("a hand-edited flake.nix is never overwritten without force", async () => {
    const dir = tempDir();
    const plan = await planFor(example);
    await applyPlan(dir, plan, false);
    const flake = path.join(dir, "flake.nix");
    writeFileSync(flake, readFileSync(flake, "utf8").replace("inherit inputs;", "inherit inputs; # my change"));
    const before = snapshotTree(dir);
    const changed = await planFor(example.replace("GREETING: Hello", "GREETING: Howdy"));
    await expect(applyPlan(dir, changed, false)).rejects.toThrow(UserError);
    expect(snapshotTree(dir)).toEqual(before);
    await applyPlan(dir, changed, true);
    expect(await findDrift(dir, changed)).toEqual([]);
  });

  test("a flake.nix without a nixkit header is never overwritten without force", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "flake.nix"), "{ outputs = _: { }; }\n");
    await expect(applyPlan(dir, await planFor(example), false)).rejects.toThrow(/not written by nixkit/);
    expect(existsSync(path.join(dir, ".nixkit"))).toBe(false);
  });

  test("library files nixkit no longer ships are reported and removed", async () => {
    const dir = tempDir();
    const plan = await planFor(example);
    await applyPlan(dir, plan, false);
    writeFileSync(path.join(dir, ".nixkit/lib/old.nix"), "{ }");
    expect(await findDrift(dir, plan)).toEqual([{ path: ".nixkit/lib/old.nix", kind: "extra", added: 0, removed: 0 }]);
    await applyPlan(dir, plan, false);
    expect(existsSync(path.join(dir, ".nixkit/lib/old.nix"))).toBe(false);
  });
});
