// The build memo answers `nix build` without nix only while nothing the evaluation reads has
// changed: the flake source's files as Nix copies them (git's tracked files, or the whole
// directory), the local inputs, the nix binary, its configuration and the store's location.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { BuildMemo } from "../../src/nix/build-memo.js";
import { sourceFiles, sourceFingerprint } from "../../src/sources/flake-source.js";
import { IMMUTABLE_MARKER } from "../../src/state/layout.js";
import { readEntries } from "../../src/state/stamp.js";
import { tempDir } from "../helpers.js";

function project(): string {
  const dir = tempDir();
  mkdirSync(path.join(dir, "src"));
  writeFileSync(path.join(dir, "nixkit.yaml"), "version: 1\nname: p\n");
  writeFileSync(path.join(dir, "src/main.sh"), "echo one\n");
  return dir;
}

const git = (dir: string, ...args: string[]) =>
  execFileSync("git", ["-C", dir, "-c", "user.email=t@example.invalid", "-c", "user.name=t", ...args], { stdio: "ignore" });

describe("the flake source's fingerprint", () => {
  const later = () => Date.now() + 10_000; // as if every file had settled
  const cache = (dir: string) => path.join(dir, ".nixkit/cache/source-hashes.json");

  test("changes with a file's content, executable bit, a new empty directory or a symlink's target", () => {
    const dir = project();
    const key = () => sourceFingerprint(dir, cache(dir), later());
    const first = key();
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(key()).toBe(first);
    writeFileSync(path.join(dir, "src/main.sh"), "echo two\n");
    const edited = key();
    expect(edited).not.toBe(first);
    chmodSync(path.join(dir, "src/main.sh"), 0o755);
    const executable = key();
    expect(executable).not.toBe(edited);
    mkdirSync(path.join(dir, "empty"));
    const withDir = key();
    expect(withDir).not.toBe(executable);
    symlinkSync("src/main.sh", path.join(dir, "link"));
    const linked = key();
    rmSync(path.join(dir, "link"));
    symlinkSync("nixkit.yaml", path.join(dir, "link"));
    expect(key()).not.toBe(linked);
  });

  test("sees an edit that keeps the size and puts the mtime back (the ctime moves)", () => {
    const dir = project();
    const file = path.join(dir, "src/main.sh");
    const before = statSync(file);
    const first = sourceFingerprint(dir, cache(dir), later());
    writeFileSync(file, "echo six\n"); // the same length
    utimesSync(file, before.atime, before.mtime);
    expect(sourceFingerprint(dir, cache(dir), later())).not.toBe(first);
  });

  test("remembers no hash of a file written in the last 2 s: it is hashed again until it settles", () => {
    const dir = project();
    expect(sourceFingerprint(dir, cache(dir), Date.now())).toBeDefined();
    expect(readEntries(cache(dir))).toEqual({});
    sourceFingerprint(dir, cache(dir), later());
    expect(Object.keys(readEntries(cache(dir))).sort()).toEqual(["nixkit.yaml", "src/main.sh"]);
  });

  test("leaves out nixkit's state and the result out-links; a directory nixkit did not write stays in", () => {
    const dir = project();
    const key = () => sourceFingerprint(dir, cache(dir), later());
    const first = key();
    mkdirSync(path.join(dir, ".nixkit/cache/tests"), { recursive: true });
    writeFileSync(path.join(dir, ".nixkit/cache/tests/durations.json"), "{}");
    symlinkSync("/nix/store/x", path.join(dir, "result-app"));
    symlinkSync("/nix/store/y", path.join(dir, "result"));
    expect(key()).toBe(first);
    mkdirSync(path.join(dir, ".nixkit/lib"), { recursive: true });
    writeFileSync(path.join(dir, ".nixkit/lib/default.nix"), "{}");
    expect(key()).not.toBe(first);
    expect(sourceFiles(dir)).toEqual([".nixkit/lib", ".nixkit/lib/default.nix", "nixkit.yaml", "src", "src/main.sh"]);
  });

  test("in a git work tree: tracked files only, as Nix copies them", () => {
    const dir = project();
    git(dir, "init", "-q");
    git(dir, "add", "nixkit.yaml", "src/main.sh");
    const key = () => sourceFingerprint(dir, cache(dir), later());
    const first = key();
    writeFileSync(path.join(dir, "notes.txt"), "untracked\n");
    expect(key()).toBe(first);
    git(dir, "add", "notes.txt");
    const added = key();
    expect(added).not.toBe(first);
    writeFileSync(path.join(dir, "src/main.sh"), "echo edited, not staged\n");
    expect(key()).not.toBe(added);
    rmSync(path.join(dir, "notes.txt"));
    expect(sourceFiles(dir)).toEqual(["nixkit.yaml", "notes.txt", "src/main.sh"]);
  });

  test("a fifo (which Nix refuses to copy) has no fingerprint", () => {
    const dir = project();
    execFileSync("mkfifo", [path.join(dir, "pipe")]);
    expect(sourceFingerprint(dir, cache(dir), later())).toBeUndefined();
  });
});

describe("the build memo", () => {
  function memoFor(dir: string, env: NodeJS.ProcessEnv = {}, override?: string): BuildMemo {
    const nix = path.join(dir, "..", `${path.basename(dir)}-nix`);
    if (!existsSync(nix)) writeFileSync(nix, "#!/bin/sh\n", { mode: 0o755 });
    return new BuildMemo(dir, nix, override, { NIX_CONF_DIR: dir, NIX_USER_CONF_FILES: "", HOME: dir, ...env });
  }
  const attrs = ["packages.x86_64-linux.app", "legacyPackages.x86_64-linux.nixkit.testReports.unit"];

  test("recalls what was built under the same key while every output exists", () => {
    const dir = project();
    const out = path.join(tempDir(), "store-path-app");
    writeFileSync(out, "built");
    const memo = memoFor(dir);
    const key = memo.key()!;
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const built = [{ drvPath: "/nix/store/a.drv", outputs: { out } }];
    expect(memo.recall(key, attrs)).toBeUndefined();
    memo.remember(key, attrs, built);
    expect(memo.recall(key, attrs)).toEqual(built);
    expect(memo.recall(key, attrs.slice(0, 1))).toBeUndefined(); // another set of attributes
    // With an out-link wanted, only outputs the project roots (a concurrent GC cannot take them).
    expect(memo.recall(key, attrs, new Set())).toBeUndefined();
    expect(memo.recall(key, attrs, new Set([out]))).toEqual(built);
    rmSync(out);
    expect(memo.recall(key, attrs)).toBeUndefined(); // collected: built again
  });

  test("the key follows the source, nix.conf, the store's location and the override", () => {
    const dir = project();
    const key = memoFor(dir).key();
    expect(memoFor(dir).key()).toBe(key);
    expect(memoFor(dir, { NIX_STORE_DIR: "/other/store" }).key()).not.toBe(key);
    writeFileSync(path.join(dir, "nix.conf"), "sandbox = false\n");
    const configured = memoFor(dir).key();
    expect(configured).not.toBe(key);
    writeFileSync(path.join(dir, "src/main.sh"), "echo changed\n");
    expect(memoFor(dir).key()).not.toBe(configured);
  });

  test("an override is remembered only when nixkit wrote it (its immutable marker); a remote one never", () => {
    const dir = project();
    const pkgs = tempDir();
    expect(memoFor(dir, {}, `path:${pkgs}`).key()).toBeUndefined();
    expect(memoFor(dir, {}, "github:NixOS/nixpkgs/nixos-unstable").key()).toBeUndefined();
    writeFileSync(path.join(pkgs, IMMUTABLE_MARKER), "set-1\n");
    const first = memoFor(dir, {}, `path:${pkgs}`).key();
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(path.join(pkgs, IMMUTABLE_MARKER), "set-2\n");
    expect(memoFor(dir, {}, `path:${pkgs}`).key()).not.toBe(first);
  });
});
