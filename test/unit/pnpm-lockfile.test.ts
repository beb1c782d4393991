// pnpm-lock.yaml read for Nix (src/node/pnpm-lockfile.ts) and the pnpm that installs it
// (src/node/package-manager.ts): the fixture as pnpm 10 wrote it, pnpm 8's 6.0 format, and
// every refusal at its line and column with the fix.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { pnpmTool } from "../../src/node/package-manager.js";
import { pnpmInstallSettings } from "../../src/node/npm-settings.js";
import { readPnpmLock } from "../../src/node/pnpm-lockfile.js";
import { repoRoot, tempDir, writeTree } from "../helpers.js";

const fixture = path.join(repoRoot, "test/fixtures/pnpm-workspace");

function lockDir(lock: string, packageJson: object = { name: "p" }): string {
  const dir = tempDir();
  writeTree(dir, { "pnpm-lock.yaml": lock, "package.json": JSON.stringify(packageJson, null, 2) });
  return dir;
}

const errorOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  return "(no error)";
};

describe("readPnpmLock", () => {
  test("the fixture: every registry package with its platforms, the members, the patch, file: and link: directories", () => {
    const lock = readPnpmLock(fixture, "pnpm-lock.yaml");
    expect(lock.lockfileVersion).toBe("9.0");
    expect(lock.members).toEqual(["packages/app", "packages/lib"]);
    expect(lock.localPaths).toEqual(["patches/is-number@7.0.0.patch", "vendor/greeting"]);
    // link: points from the importer's directory; a member's (workspace:) is not listed again.
    expect(lock.linked).toEqual(["vendor/shout"]);
    expect(lock.packages).toContain(
      "@esbuild/linux-x64 0.25.0 sha512-9yl91rHw/cpwMCNytUDxwj2XjFpxML0y9HAOH9pNVQDpQrBxHy01Dx+vaMu0N1CKa/RzBD2hB4u//nfc+Sd3Cw== os=linux cpu=x64",
    );
    // The alias is the real package; the patched one is listed once, by its own version.
    expect(lock.packages.filter((p) => p.startsWith("left-pad "))).toEqual([expect.stringMatching(/^left-pad 1\.3\.0 sha512-/)]);
    expect(lock.packages.filter((p) => p.startsWith("is-number ")).map((p) => p.split(" ")[1])).toEqual(["6.0.0", "7.0.0"]);
    expect(lock.packages).toEqual([...lock.packages].sort());
  });

  test("pnpm 8's 6.0: keys with a leading slash and peer suffixes, one entry per version", () => {
    const dir = lockDir(`lockfileVersion: '6.0'

packages:

  /react@18.2.0:
    resolution: {integrity: sha512-/3IjMdb2L9QbBdWiW5e3P2/npwMBaU9mHCSCUzNln0ZCYbcfTsGbTJrU/kGemdH2IWmB2ioZ+zkxtmq6g09fGQ==}

  /react-dom@18.2.0(react@18.2.0):
    resolution: {integrity: sha512-6IMTriUmvsjHUjNtEDudZfuDQUoWXVxKHhlEGSk81n4YFS+r/Kl99wXiwlVXtPBtJenozv2P+hxDsw9eA7Xo6g==}
    peerDependencies:
      react: ^18.2.0

  /local@file:vendor/local:
    resolution: {directory: vendor/local, type: directory}

dependencies:
  shout:
    specifier: link:vendor/shout
    version: link:vendor/shout
`);
    const lock = readPnpmLock(dir, "pnpm-lock.yaml");
    expect(lock.packages.map((p) => p.split(" ").slice(0, 2).join("@"))).toEqual(["react@18.2.0", "react-dom@18.2.0"]);
    expect(lock.localPaths).toEqual(["vendor/local"]);
    // A single project's dependencies are at the top (no importers).
    expect(lock.linked).toEqual(["vendor/shout"]);
  });

  test("refusals at their line and column: version, git, remote tarball, no or weak integrity, a name Nix cannot store, YAML", () => {
    const at = (lock: string) =>
      errorOf(() => readPnpmLock(lockDir(lock), "pnpm-lock.yaml")).replace(/^.*pnpm-lock\.yaml:/, "pnpm-lock.yaml:");
    expect(at("lockfileVersion: 5.4\n")).toMatch(
      /^pnpm-lock\.yaml:1:18: lockfileVersion 5\.4 is not a pnpm lockfile nixkit installs from .* run `pnpm install` with pnpm 9/,
    );
    const entry = (resolution: string, key = "left-pad@1.3.0") =>
      `lockfileVersion: '9.0'\n\npackages:\n\n  ${key}:\n    resolution: ${resolution}\n`;
    expect(at(entry("{type: git, repo: 'https://user:pw@git.example.invalid/x.git', commit: abc}"))).toMatch(
      /^pnpm-lock\.yaml:6:17: left-pad is a git dependency \(https:\/\/\*\*\*@git\.example\.invalid\/x\.git\); .*publish it to a registry/,
    );
    expect(at(entry("{tarball: 'https://files.example.invalid/x.tgz', integrity: sha512-x}"))).toMatch(
      /^pnpm-lock\.yaml:6:17: left-pad is downloaded from https:\/\/files\.example\.invalid\/x\.tgz, not from a registry/,
    );
    expect(at(entry("{}"))).toMatch(
      /^pnpm-lock\.yaml:6:17: left-pad@1\.3\.0: no integrity hash, so its download cannot be checked; run `pnpm store prune/,
    );
    expect(at(entry("{integrity: md5-2uU+uI3ntaX5xQ5YAh6/0Q==}"))).toMatch(
      /^pnpm-lock\.yaml:6:17: left-pad@1\.3\.0: "integrity" has no sha512, sha256 or sha1 hash/,
    );
    expect(at(entry("{integrity: sha1-2uU+uI3ntaX5xQ5YAh6/0Q1x2dk=}", "'left pad@1.3.0'"))).toMatch(
      /^pnpm-lock\.yaml:5:3: "left pad" at version "1\.3\.0" is not an npm package name and version Nix can store/,
    );
    expect(at("lockfileVersion: '9.0'\npackages: [\n")).toMatch(
      /^pnpm-lock\.yaml:\d+:\d+: not valid YAML; run `pnpm install` to rewrite it$/,
    );
  });

  test("a member or a patch outside the project is refused", () => {
    const lock = `lockfileVersion: '9.0'\n\nimporters:\n\n  .: {}\n\n  ../elsewhere: {}\n`;
    expect(errorOf(() => readPnpmLock(lockDir(lock), "pnpm-lock.yaml"))).toMatch(/\.\.\/elsewhere is outside the project/);
  });
});

describe("pnpmTool", () => {
  const v9 = "lockfileVersion: '9.0'\n";

  test("corepack's hex hash becomes the SRI hash Nix checks; no packageManager: the pinned pnpm", () => {
    const hex = Buffer.from("a".repeat(64)).toString("hex");
    const dir = lockDir(v9, { name: "p", packageManager: `pnpm@10.2.0+sha512.${hex}` });
    expect(pnpmTool(dir, dir, "9.0", "https://registry.invalid")).toEqual({
      version: "10.2.0",
      hash: `sha512-${Buffer.from("a".repeat(64)).toString("base64")}`,
    });
    const fixtureTool = pnpmTool(fixture, fixture, "9.0", "https://registry.invalid");
    expect(fixtureTool.version).toBe("10.34.9");
    const none = lockDir(v9);
    expect(pnpmTool(none, none, "9.0", "https://registry.invalid")).toEqual(fixtureTool);
    expect(pnpmTool(none, none, "6.0", "https://registry.invalid").version).toMatch(/^8\./);
  });

  test("another tool, a malformed value or a hash Nix cannot check is refused at its line", () => {
    const at = (packageManager: string) => {
      const dir = lockDir(v9, { name: "p", packageManager });
      return errorOf(() => pnpmTool(dir, dir, "9.0", "https://registry.invalid")).replace(/^.*package\.json:/, "package.json:");
    };
    expect(at("yarn@4.5.0")).toMatch(/^package\.json:3:3: packageManager names yarn, but the project is locked by pnpm/);
    expect(at("pnpm@latest")).toMatch(/^package\.json:3:3: packageManager "pnpm@latest" is not TOOL@VERSION/);
    expect(at("pnpm@10.2.0+sha224.abcd")).toMatch(/^package\.json:3:3: packageManager's sha224 hash is not one Nix checks/);
  });
});

test("pnpm's .npmrc settings reach the install; registries, credentials, proxies and this machine's directories do not", () => {
  const dir = tempDir();
  writeFileSync(
    path.join(dir, ".npmrc"),
    [
      "node-linker=hoisted",
      "public-hoist-pattern=*eslint*",
      "auto-install-peers=false",
      "registry=https://registry.invalid/",
      "@acme:registry=https://acme.invalid/",
      "//registry.invalid/:_authToken=secret",
      "_auth=secret",
      "https-proxy=http://proxy.invalid",
      "store-dir=/home/me/.pnpm-store",
      "strict-peer-dependencies=${STRICT}",
    ].join("\n"),
  );
  expect(pnpmInstallSettings(dir, dir)).toEqual({
    "node-linker": "hoisted",
    "public-hoist-pattern": "*eslint*",
    "auto-install-peers": "false",
  });
  expect(readFileSync(path.join(dir, ".npmrc"), "utf8")).toContain("secret");
});
