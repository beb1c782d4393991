// yarn 1 projects, for real: a workspace as yarn 1.22 writes it (two members, one depending on the
// other, a scoped package, an npm: alias, a bin used by a build script, a root postinstall, a file:
// and a link: package). The committed lockfile names no registry: its URLs are made here from
// npm's registry setting, as `yarn install` with that registry writes them. Each tarball is fetched by Nix, yarn (the packageManager's version,
// from npm's registry) installs from its offline mirror in the sandbox; builds, tests with JUnit
// and the shell use the install.
import { execa } from "execa";
import { cpSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { nix, nixkit, repoRoot, tempDir } from "../helpers.js";
import { editFile, fetchedTarballs, offlinePkgs, outOf } from "./project.js";

const SEMVER_7_6_2 = "sha512-FNAIBWCx9qcRhoHcgcJ0gvU7SN1lYU2ZXuSfl04bSC5OpvDHFyJCjdNHomPXxjQlCBU67YW64PzY7/VIEH7F2w==";
const SEMVER_7_6_3 = "sha512-oVekP1cKtI+CTDvHWYFUcMtsK/00wmAEfyqKfNdARm8u1wNVhSgaX7A8d4UuIlUI5e84iEwOhs7ZPYRmzU9U6A==";

const manifest = `version: 1
name: yarn-workspace
systems: [x86_64-linux]
inputs:
  nixpkgs: ${JSON.stringify(offlinePkgs())}
shell:
  node: { lockfile: yarn.lock }
builds:
  app:
    node: { lockfile: yarn.lock }
    script: |
      cd packages/app && yarn run build
      mkdir -p $out && cp dist/* $out/
      yarn --version > $out/yarn-version
      cat ../../node_modules/.postinstall-ran > $out/postinstall
      node -p "require('greeting')('nix')" > $out/greeting
      (cd ../lib && node -p "require('shout')('hi')") > $out/shout
tests:
  lib:
    node: { lockfile: yarn.lock }
    script: |
      cd packages/lib
      node --test --test-reporter=junit --test-reporter-destination="$NIXKIT_REPORTS/junit.xml" test/
  all:
    node: { lockfile: yarn.lock }
    script: yarn test
`;

// A second install of the same lockfile, without scripts and dev dependencies: added by the tests
// that check it (each install is a full one, in every test that builds).
const LEAN_BUILD = `  lean:
    node: { lockfile: yarn.lock, scripts: false, omit: [dev] }
    script: |
      mkdir -p $out
      ls -a node_modules > $out/root-modules
`;
const withLeanBuild = (dir: string) => editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace("\ntests:\n", `\n${LEAN_BUILD}tests:\n`));

async function yarnProject(): Promise<string> {
  const dir = tempDir("nixkit-yarn-");
  cpSync(path.join(repoRoot, "test/fixtures/yarn-workspace"), dir, { recursive: true });
  const registry = (await execa("npm", ["config", "get", "registry"], { cwd: dir })).stdout.trim().replace(/\/+$/, "");
  editFile(path.join(dir, "yarn.lock"), (t) => t.replaceAll("@REGISTRY@", registry));
  // A root package name of its own, so the install is new to the store.
  editFile(path.join(dir, "package.json"), (t) =>
    t.replace('"yarn-workspace-fixture"', JSON.stringify(`yarn-ws-${process.pid}-${Date.now()}`)),
  );
  writeFileSync(path.join(dir, "nixkit.yaml"), manifest);
  return dir;
}

const installing = /building \S*yarn-node-modules/;

describe("node: a yarn 1 workspace from its own lockfile", () => {
  test(
    // Once: what the install asks of Nix (downloads added ahead, a sandboxed build) is what
    // node-deps' and pnpm's main tests check on every Nix.
    "build, test with JUnit and the shell: members linked, scoped and aliased packages, bins",
    async () => {
      const dir = await yarnProject();
      withLeanBuild(dir);
      const build = await nixkit(["build"], { cwd: dir });
      expect(build.exitCode, build.stderr).toBe(0);
      const out = outOf(build.stdout, "app")!;
      expect(readFileSync(path.join(out, "out"), "utf8")).toBe("  odd true\n");
      expect(readFileSync(path.join(out, "version"), "utf8")).toBe("1.2.3\n");
      expect(readFileSync(path.join(out, "yarn-version"), "utf8").trim()).toBe("1.22.22");
      expect(readFileSync(path.join(out, "postinstall"), "utf8")).toBe("by the root postinstall");
      // A file: package (copied in by yarn) and a link: one (a link into the project).
      expect(readFileSync(path.join(out, "greeting"), "utf8")).toBe("hello nix\n");
      expect(readFileSync(path.join(out, "shout"), "utf8")).toBe("HI!\n");
      // scripts: false and omit: [dev]: the root postinstall did not run, semver (dev) is not installed.
      const lean = readFileSync(path.join(outOf(build.stdout, "lean")!, "root-modules"), "utf8").split("\n");
      expect(lean).toContain("is-odd");
      expect(lean).not.toContain(".postinstall-ran");
      expect(lean).not.toContain("semver");

      const tested = await nixkit(["--json", "test", "--junit", "junit.xml"], { cwd: dir });
      expect(tested.exitCode, tested.stderr).toBe(0);
      const results = (JSON.parse(tested.stdout) as { tests: { name: string; status: string }[] }).tests;
      expect(Object.fromEntries(results.map((t) => [t.name, t.status]))).toEqual({ lib: "pass", all: "pass" });
      expect(readFileSync(path.join(dir, "junit.xml"), "utf8")).toContain('name="odd numbers are padded"');

      const shell = await nixkit(["run", "--", "yarn", "test"], { cwd: dir });
      expect(shell.exitCode, shell.stderr).toBe(0);
      expect(shell.stdout).toContain("  odd true");
      const linked = await nixkit(["run", "--", "node", "-p", "require('shout')('hi')"], { cwd: path.join(dir, "packages/lib") });
      expect(linked.exitCode, linked.stderr).toBe(0);
      expect(linked.stdout.trimEnd()).toBe("HI!");
    },
  );

  test("a code change neither refetches nor reinstalls; a bumped dependency refetches that tarball only", async () => {
    const dir = await yarnProject();
    expect((await nixkit(["build"], { cwd: dir })).exitCode).toBe(0);
    editFile(path.join(dir, "packages/lib/index.js"), (t) => t + "// changed\n");
    const again = await nixkit(["build", "-v"], { cwd: dir });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(installing);
    expect(fetchedTarballs(again.stderr)).toEqual([]);

    for (const name of readdirSync("/nix/store").filter((n) => n.endsWith("-semver-7.6.2.tgz")))
      await nix(["store", "delete", `/nix/store/${name}`], dir);
    // What `yarn add -D semver@7.6.2` writes.
    editFile(path.join(dir, "yarn.lock"), (t) =>
      t
        .replaceAll("semver@7.6.3", "semver@7.6.2")
        .replace('version "7.6.3"', 'version "7.6.2"')
        .replace("semver-7.6.3.tgz", "semver-7.6.2.tgz")
        .replace(/#[0-9a-f]{40}"\n {2}integrity sha512-oVekP1/, '"\n  integrity sha512-oVekP1')
        .replace(SEMVER_7_6_3, SEMVER_7_6_2),
    );
    editFile(path.join(dir, "packages/app/package.json"), (t) => t.replace('"semver": "7.6.3"', '"semver": "7.6.2"'));
    const bumped = await nixkit(["build", "-v"], { cwd: dir });
    expect(bumped.exitCode, bumped.stderr).toBe(0);
    expect(fetchedTarballs(bumped.stderr)).toEqual(["semver-7.6.2.tgz"]);
    expect(bumped.stderr).toMatch(installing);
  });

  test("a lockfile out of date with package.json fails in the sandbox naming the command that updates it", async () => {
    const dir = await yarnProject();
    editFile(path.join(dir, "packages/app/package.json"), (t) =>
      t.replace('"@sindresorhus/is": "4.6.0"', '"@sindresorhus/is": "4.6.0",\n    "ms": "2.1.3"'),
    );
    const result = await nixkit(["build"], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/yarn\.lock: out of date with package\.json .*run `yarn install` to update it/);
  });

  test("a packageManager naming yarn 4 for a yarn 1 lockfile, and the other way round, are refused at their line (exit 2)", async () => {
    const dir = await yarnProject();
    editFile(path.join(dir, "package.json"), (t) => t.replace('"yarn@1.22.22"', '"yarn@4.5.0"'));
    const berryTool = await nixkit(["build"], { cwd: dir });
    expect(berryTool.exitCode).toBe(2);
    expect(berryTool.stderr).toMatch(/package\.json:4:3: packageManager names yarn 4\.5\.0, but yarn\.lock is yarn 1's/);
    editFile(path.join(dir, "package.json"), (t) => t.replace('"yarn@4.5.0"', '"yarn@1.22.22"'));
    writeFileSync(path.join(dir, "yarn.lock"), "__metadata:\n  version: 8\n  cacheKey: 10c0\n");
    const berry = await nixkit(["build"], { cwd: dir });
    expect(berry.exitCode).toBe(2);
    expect(berry.stderr).toMatch(/package\.json:4:3: packageManager names yarn 1\.22\.22, but yarn\.lock is yarn 4's \(berry\)/);
  });
});
