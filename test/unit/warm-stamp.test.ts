// The warm stamp (src/shell/warm-stamp.ts): the warm entry serves the environment script without
// computing its key only while nothing the key was computed from has changed, and it is never
// recorded from signatures a same-moment write could hide.
import { readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { storeEnv } from "../../src/shell/cache.js";
import { cachedRc, currentEnvKey } from "../../src/shell/dev-env.js";
import { RC_ROOT_PREFIX } from "../../src/shell/rc-markers.js";
import { rcTrailer } from "../../src/shell/rc.js";
import { stampedRcFile } from "../../src/shell/warm-stamp.js";
import { IMMUTABLE_MARKER } from "../../src/state/layout.js";
import { tempDir, writeTree } from "../helpers.js";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now());
});
afterEach(() => vi.useRealTimers());

/** Moves the clock past the 2 s after which a file's signature is settled. */
const later = () => vi.setSystemTime(Date.now() + 5_000);

async function project(root = ""): Promise<{ dir: string; rcFile: string }> {
  const dir = tempDir();
  writeTree(dir, { "nixkit.yaml": "version: 1\nname: w\n", "flake.nix": "{ }", "flake.lock": "{}", ".nixkit/lib/default.nix": "{ }" });
  const body = `${RC_ROOT_PREFIX}${root}\nexport A=1\n`;
  const rcFile = await storeEnv(dir, currentEnvKey({ projectDir: dir }), body + rcTrailer(Buffer.from(body)));
  return { dir, rcFile };
}

/** Serves once through the key (which stamps), then from the stamp alone. */
function stamp(dir: string, nixpkgsOverride?: string): string | undefined {
  expect(cachedRc({ projectDir: dir, nixpkgsOverride }).state).toBe("ok");
  return stampedRcFile(dir, nixpkgsOverride);
}

test("served from the stamp once settled; any edit to an input, however it keeps size and mtime, is seen", async () => {
  const { dir, rcFile } = await project();
  expect(stamp(dir), "files written just now are not stamped").toBeUndefined();
  later();
  expect(stamp(dir)).toBe(rcFile);
  for (const file of ["nixkit.yaml", "flake.nix", "flake.lock", ".nixkit/lib/default.nix"]) {
    const full = path.join(dir, file);
    const { atime, mtime, size } = statSync(full);
    writeFileSync(full, "x".repeat(size));
    utimesSync(full, atime, mtime);
    expect(stampedRcFile(dir, undefined), file).toBeUndefined();
  }
});

test("a new file in .nixkit/lib, another override, a replaced or collected script: not served from the stamp", async () => {
  const { dir, rcFile } = await project();
  later();
  expect(stamp(dir)).toBe(rcFile);
  writeFileSync(path.join(dir, ".nixkit/lib/extra.nix"), "{ }");
  expect(stampedRcFile(dir, undefined)).toBeUndefined();
  rmSync(path.join(dir, ".nixkit/lib/extra.nix"));
  expect(stampedRcFile(dir, "github:NixOS/nixpkgs/nixos-unstable")).toBeUndefined();

  later();
  expect(stamp(dir)).toBe(rcFile);
  const copy = `${rcFile}.copy`;
  writeFileSync(copy, statSync(rcFile).size.toString());
  renameSync(copy, rcFile);
  expect(stampedRcFile(dir, undefined)).toBeUndefined();

  const root = path.join(tempDir(), "env-store-path");
  writeFileSync(root, "");
  const rooted = await project(root);
  later();
  expect(stamp(rooted.dir)).toBe(rooted.rcFile);
  rmSync(root);
  expect(stampedRcFile(rooted.dir, undefined), "its GC root's path is gone: collected").toBeUndefined();
});

test("a local override is stamped by its immutable marker only; a tree that can change is never stamped", async () => {
  const { dir, rcFile } = await project();
  const pkgs = path.join(tempDir(), "pkgs");
  writeTree(pkgs, { "flake.nix": "{ }" });
  const override = `path:${pkgs}`;
  await storeEnv(dir, currentEnvKey({ projectDir: dir, nixpkgsOverride: override }), readRc(rcFile));
  later();
  expect(stamp(dir, override)).toBeUndefined();
  writeFileSync(path.join(pkgs, IMMUTABLE_MARKER), "v1\n");
  const marked = await storeEnv(dir, currentEnvKey({ projectDir: dir, nixpkgsOverride: override }), readRc(rcFile));
  later();
  expect(stamp(dir, override)).toBe(marked);
  writeFileSync(path.join(pkgs, IMMUTABLE_MARKER), "v2\n");
  expect(stampedRcFile(dir, override)).toBeUndefined();
});

const readRc = (file: string): string => readFileSync(file, "utf8");
