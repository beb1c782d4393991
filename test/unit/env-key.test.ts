import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { envKey, type EnvKeyInputs } from "../../src/shell/key.js";
import { localPathOf } from "../../src/sources/flake-inputs.js";
import { tempDir, writeTree } from "../helpers.js";

function project(): { dir: string; inputs: EnvKeyInputs } {
  const dir = tempDir();
  writeTree(dir, { "nixkit.yaml": "version: 1\n", "flake.nix": "{ }", "flake.lock": "{}", ".nixkit/lib/default.nix": "{ }" });
  const bin = path.join(dir, "bin");
  mkdirSync(bin);
  writeFileSync(path.join(bin, "nix"), "#!/bin/sh\n");
  chmodSync(path.join(bin, "nix"), 0o755);
  return { dir, inputs: { projectDir: dir, system: "x86_64-linux", nixkitVersion: "1.0.0", nixBinary: "nix", env: { PATH: bin } } };
}

test("the key is stable, and changes with every input", () => {
  const { dir, inputs } = project();
  const key = envKey(inputs);
  expect(key).toMatch(/^[0-9a-f]{32}$/);
  expect(envKey(inputs)).toBe(key);
  const changed = (change: () => EnvKeyInputs | void) => envKey(change() ?? inputs) !== key;
  expect(changed(() => ({ ...inputs, system: "aarch64-linux" }))).toBe(true);
  expect(changed(() => ({ ...inputs, nixkitVersion: "1.0.1" }))).toBe(true);
  expect(changed(() => ({ ...inputs, nixpkgsOverride: "github:NixOS/nixpkgs/nixos-unstable" }))).toBe(true);
  for (const file of ["nixkit.yaml", "flake.nix", "flake.lock", ".nixkit/lib/default.nix"]) {
    const { dir: other, inputs: otherInputs } = project();
    const before = envKey(otherInputs);
    writeFileSync(path.join(other, file), "changed");
    expect(envKey(otherInputs), file).not.toBe(before);
  }
  writeFileSync(path.join(dir, ".nixkit/lib/new.nix"), "{ }");
  expect(envKey(inputs)).not.toBe(key);
});

test("a local --nixpkgs override is keyed by its files; a new nix binary changes the key", () => {
  const { dir, inputs } = project();
  const pkgs = path.join(dir, "pkgs");
  writeTree(pkgs, { "flake.nix": "{ }", "sub/a.nix": "1" });
  const withOverride = { ...inputs, nixpkgsOverride: `path:${pkgs}` };
  const key = envKey(withOverride);
  writeFileSync(path.join(pkgs, "sub/a.nix"), "22");
  expect(envKey(withOverride)).not.toBe(key);
  const before = envKey(inputs);
  writeFileSync(path.join(dir, "bin/nix"), "#!/bin/sh\n# a newer nix\n");
  expect(envKey(inputs)).not.toBe(before);
});

test("local flake refs are recognised; remote ones are not", () => {
  expect(localPathOf("path:/a/b", "/p")).toBe("/a/b");
  expect(localPathOf("path:/a%20b?narHash=x", "/p")).toBe("/a b");
  expect(localPathOf("./pkgs", "/p")).toBe("/p/pkgs");
  expect(localPathOf("git+file:///src/nixpkgs", "/p")).toBe("/src/nixpkgs");
  expect(localPathOf("github:NixOS/nixpkgs", "/p")).toBeUndefined();
});

test("an immutable directory (the offline set) is keyed by its marker, not walked", () => {
  const { dir, inputs } = project();
  const pkgs = path.join(dir, "pkgs");
  writeTree(pkgs, { "flake.nix": "{ }", ".nixkit-immutable": "digest-1" });
  const withOverride = { ...inputs, nixpkgsOverride: `path:${pkgs}` };
  const key = envKey(withOverride);
  writeFileSync(path.join(pkgs, "flake.nix"), "{ x = 1; }"); // nixkit never does this to a marked set
  expect(envKey(withOverride)).toBe(key);
  writeFileSync(path.join(pkgs, ".nixkit-immutable"), "digest-2");
  expect(envKey(withOverride)).not.toBe(key);
});
