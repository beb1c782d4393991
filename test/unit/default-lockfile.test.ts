// A `node` field without a lockfile means the project's own (src/manifest/default-lockfile.ts).
import { describe, expect, test } from "vitest";
import { withDetectedLockfiles } from "../../src/manifest/default-lockfile.js";
import { parseManifest } from "../../src/manifest/parse.js";
import { tempDir, writeTree } from "../helpers.js";

const text =
  "version: 1\nname: p\ninputs:\n  nixpkgs: github:NixOS/nixpkgs/nixos-24.11\nshell:\n  node: {}\nbuilds:\n  app:\n    node: {}\n    script: 'true'\n";
const lockfilesOf = (files: Record<string, string>, manifestText = text) => {
  const dir = tempDir();
  writeTree(dir, files);
  const { manifest } = parseManifest(manifestText);
  const detected = withDetectedLockfiles(manifest, manifestText, dir);
  return [detected.shell.node?.lockfile, detected.builds.app?.node?.lockfile];
};

describe("withDetectedLockfiles", () => {
  test("pnpm-lock.yaml or yarn.lock when the project has no package-lock.json", () => {
    expect(lockfilesOf({ "yarn.lock": "" })).toEqual(["yarn.lock", "yarn.lock"]);
    expect(lockfilesOf({ "pnpm-lock.yaml": "" })).toEqual(["pnpm-lock.yaml", "pnpm-lock.yaml"]);
  });
  test("npm's when it is there, when both others are (ambiguous: the field's error says which to name), or when named", () => {
    expect(lockfilesOf({ "package-lock.json": "{}", "yarn.lock": "" })).toEqual(["package-lock.json", "package-lock.json"]);
    expect(lockfilesOf({ "pnpm-lock.yaml": "", "yarn.lock": "" })).toEqual(["package-lock.json", "package-lock.json"]);
    const named = text.replace("  node: {}", "  node: { lockfile: package-lock.json }");
    expect(lockfilesOf({ "yarn.lock": "" }, named)).toEqual(["package-lock.json", "package-lock.json"]);
  });
});
