// package-lock.json checks (src/node/lockfile.ts), the URL redaction for logs, and the ELF facts
// the offline set's host import reads.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { checkLockfile } from "../../src/node/lockfile.js";
import { nodeContext } from "../../src/node/registry-for.js";
import { parseManifest } from "../../src/manifest/parse.js";
import { FieldError } from "../../src/util/errors.js";
import { elfInfo, isStaticElf } from "../../src/offline/elf.js";
import { redactUrls } from "../../src/util/redact.js";
import { tempDir } from "../helpers.js";

function lockfile(packages: Record<string, object>, version = 3): string {
  const dir = tempDir();
  writeFileSync(
    path.join(dir, "package-lock.json"),
    JSON.stringify({ name: "x", lockfileVersion: version, packages: { "": { name: "x" }, ...packages } }, null, 2),
  );
  return dir;
}
const check = (dir: string) => () => checkLockfile(dir, "package-lock.json");
const integrity = "sha512-sGkPx+VjMtmA6MX27oA4FBFELFCZZ4S4XqeGOXCv68tT+jb3vk/RyaKWP0PTKyWtmLSM0b+adUTEvbs1PEaH2w==";

describe("checkLockfile", () => {
  test("a lockfile whose packages all record URLs needs no registry; one without does", () => {
    expect(
      check(lockfile({ "node_modules/ms": { version: "2.1.2", resolved: "https://example.org/ms/-/ms-2.1.2.tgz", integrity } }))(),
    ).toEqual({ needsRegistry: false });
    expect(check(lockfile({ "node_modules/ms": { version: "2.1.2", integrity } }))()).toEqual({ needsRegistry: true });
  });

  test("lockfileVersion 2 (npm 7-8: packages and the old dependencies tree) is read from packages", () => {
    const dir = lockfile({ "node_modules/ms": { version: "2.1.2", integrity } }, 2);
    expect(check(dir)()).toEqual({ needsRegistry: true });
  });

  test("links, bundled packages and workspace members are not downloads", () => {
    const dir = lockfile({
      "node_modules/a": { resolved: "packages/a", link: true },
      "packages/a": { name: "a", version: "1.0.0" },
      "node_modules/b/node_modules/c": { version: "1.0.0", inBundle: true },
    });
    expect(check(dir)()).toEqual({ needsRegistry: false });
  });

  test("lockfileVersion 1 is refused at its line with the upgrade", () => {
    expect(check(lockfile({}, 1))).toThrow(/package-lock\.json:3:3: lockfileVersion 1 is npm 6's format.*`npm install`/);
  });

  test("git dependencies and packages without integrity are refused, each named, all at once", () => {
    const dir = lockfile({
      "node_modules/left-pad": { version: "1.3.0", resolved: "git+ssh://git@example.org/left-pad.git#5f2a0b1" },
      "node_modules/from-github": { version: "1.0.0", resolved: "github:someone/thing#abc123" },
      "node_modules/@scope/no-hash": { version: "1.0.0" },
    });
    const error = (() => {
      try {
        check(dir)();
      } catch (e) {
        return (e as Error).message;
      }
    })()!;
    expect(error).toMatch(/:\d+:\d+: left-pad is a git dependency/);
    expect(error).toMatch(/:\d+:\d+: from-github is a git dependency/);
    expect(error).toMatch(/:\d+:\d+: @scope\/no-hash has no "integrity" hash/);
  });

  test("a missing lockfile is told for its fields to say; invalid JSON says so", () => {
    expect(check(tempDir())()).toEqual({ unusable: expect.stringMatching(/^package-lock\.json does not exist; run `npm install`/) });
    const dir = tempDir();
    writeFileSync(path.join(dir, "package-lock.json"), "{ nope");
    expect(check(dir)).toThrow(/not valid JSON/);
  });
});

test("credentials in a URL are never shown", () => {
  expect(redactUrls("https://user:s3cret@registry.example/x.tgz")).toBe("https://***@registry.example/x.tgz");
  expect(redactUrls("https://registry.example/a@1.0.0.tgz")).toBe("https://registry.example/a@1.0.0.tgz");
});

test("elfInfo tells programs with an interpreter, shared objects and static binaries apart", () => {
  expect(elfInfo(process.execPath)).toMatchObject({ dynamic: true });
  expect(elfInfo(path.join(import.meta.dirname, "node-lockfile.test.ts"))).toBeUndefined();
  expect(isStaticElf(process.execPath)).toBe(elfInfo(process.execPath)?.interpreter === false);
});

describe("other package managers' lockfiles", () => {
  const manifest = (text: string) => parseManifest(text).manifest;
  const text = `version: 1
name: x
inputs:
  nixpkgs: github:NixOS/nixpkgs/nixos-26.05
shell:
  node: {}
builds:
  app:
    node: { lockfile: bun.lock }
    script: x
tests:
  unit:
    node: {}
    script: x
`;

  test("pnpm or yarn locked projects are told which lockfile to name or what nixkit reads, for every field that uses it", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n");
    writeFileSync(path.join(dir, "yarn.lock"), "# yarn lockfile v1\n");
    let error: FieldError | undefined;
    try {
      nodeContext(manifest(text), dir, text);
    } catch (e) {
      error = e as FieldError;
    }
    expect(error).toBeInstanceOf(FieldError);
    const lines = error!.message.split("\n");
    expect(lines).toEqual([
      "nixkit.yaml shell.node.lockfile: package-lock.json does not exist, and the project is locked by pnpm instead: set lockfile: pnpm-lock.yaml",
      "nixkit.yaml tests.unit.node.lockfile: package-lock.json does not exist, and the project is locked by pnpm instead: set lockfile: pnpm-lock.yaml",
      expect.stringMatching(
        /^nixkit\.yaml builds\.app\.node\.lockfile: bun\.lock is bun's lockfile; nixkit installs Node dependencies from npm's package-lock\.json \(lockfileVersion 2 or 3\), pnpm's pnpm-lock\.yaml \(9\.0 or 6\.0\) and yarn's yarn\.lock \(yarn 1 or 4\)/,
      ),
    ]);
    expect(error!.message).not.toMatch(/not valid JSON|run `npm install` in/);
  });
});

test("a project .npmrc's install settings are carried, never its auth lines, registries or ${VAR} values", async () => {
  const { npmInstallSettings } = await import("../../src/node/npm-settings.js");
  const dir = tempDir();
  writeFileSync(
    path.join(dir, ".npmrc"),
    "; comment\nlegacy-peer-deps=true\nengine-strict = false\nomit=dev,optional\nregistry=https://npm.example/\n//npm.example/:_authToken=npm_secret\ninstall-strategy=${STRATEGY}\n",
  );
  expect(npmInstallSettings(dir, dir)).toEqual({ "legacy-peer-deps": "true", "engine-strict": "false", omit: "dev,optional" });
  expect(npmInstallSettings(dir, path.join(dir, "none"))).toEqual({});
});
