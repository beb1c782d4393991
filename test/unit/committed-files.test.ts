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

test("no committed lockfile records where its packages are downloaded from: the user's registry and index settings are read at run time", async () => {
  const { execFileSync } = await import("node:child_process");
  const lockfiles = execFileSync("git", ["ls-files", "-z"], { cwd: repoRoot, encoding: "utf8" })
    .split("\0")
    .filter((file) =>
      /(^|\/)(package-lock\.json|pnpm-lock\.yaml|yarn\.lock|uv\.lock|poetry\.lock|Cargo\.lock|requirements[^/]*\.txt)$/.test(file),
    );
  expect(lockfiles.length).toBeGreaterThan(5);
  for (const file of lockfiles) {
    const text = readFileSync(path.join(repoRoot, file), "utf8");
    // (package-lock.json's "funding" entries have a "url" too: not a download)
    const downloadField = file.endsWith(".json")
      ? /"(resolved|tarball)":\s*"https?:/
      : /(resolved|tarball|url|registry|index-url|-i)\W+["']?[a-z+]*https?:\/\//i;
    expect(text, file).not.toMatch(downloadField);
  }
});
