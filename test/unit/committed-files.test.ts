// Files committed beside the code that must match what the code produces.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { manifestJsonSchema } from "../../src/manifest/json-schema.js";
import { repoRoot } from "../helpers.js";

test("schema/nixkit.schema.json is the exported JSON Schema (regenerate: nixkit schema > schema/nixkit.schema.json)", () => {
  const committed = JSON.parse(readFileSync(path.join(repoRoot, "schema/nixkit.schema.json"), "utf8"));
  expect(committed).toEqual(manifestJsonSchema());
});

test("nixkit's own flake.lock pins nixpkgs to a public nixos-24.11 revision", () => {
  const lock = JSON.parse(readFileSync(path.join(repoRoot, "flake.lock"), "utf8"));
  expect(lock.nodes.nixpkgs.locked).toMatchObject({
    type: "github",
    owner: "NixOS",
    repo: "nixpkgs",
    rev: expect.stringMatching(/^[0-9a-f]{40}$/),
    narHash: expect.stringMatching(/^sha256-[A-Za-z0-9+/]{43}=$/),
  });
  expect(lock.nodes.nixpkgs.original.ref).toBe("nixos-24.11");
});
