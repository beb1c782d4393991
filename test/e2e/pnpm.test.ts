// pnpm projects, for real: a workspace as pnpm 10 writes it (two members, one linked into the
// other with workspace:, a catalog entry, an npm: alias, a patched dependency, esbuild's platform
// packages and its bin used by a build script, a file: and a link: package, a root postinstall),
// its lockfile read by nixkit, each package fetched by Nix from the registry npm is configured
// with, the pnpm packageManager names fetched the same way and run in the sandbox against the
// build's own loopback registry; builds, tests with JUnit and the shell use the install.
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { nix, nixkit, repoRoot, tempDir, versioned } from "../helpers.js";
import { editFile, fetchedTarballs, offlinePkgs, outOf } from "./project.js";

const LEFT_PAD_1_2_0 = "sha512-OQadpCyFCT/VLniZQgym8d3/ofIJtuZyw2ibsVeIUOexKgW/osn8+mMFJbwGMPeDC4GnLzD8q115WPCDx4YRWg==";
const LEFT_PAD_1_3_0 = "sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQGinBN9yTQT3bFlCBy/aVx2HrNcqQGsdot8ghrjyrvMCoEA==";

const manifest = `version: 1
name: pnpm-workspace
systems: [x86_64-linux]
inputs:
  nixpkgs: ${JSON.stringify(offlinePkgs())}
shell:
  node: { lockfile: pnpm-lock.yaml }
builds:
  app:
    node: { lockfile: pnpm-lock.yaml }
    script: |
      pnpm --filter @ws/app run build
      mkdir -p $out
      cp packages/app/dist/app.js $out/
      node packages/app/dist/app.js > $out/ran
      ls node_modules/.pnpm > $out/installed
      cat node_modules/.pnpm/is-number@7.0.0_patch_hash=*/node_modules/is-number/index.js > $out/patched
      pnpm --version > $out/pnpm-version
      (cd packages/app && node -p "require('greeting')('nix')") > $out/greeting
      cat node_modules/.postinstall-ran > $out/postinstall
      (cd packages/lib && node -p "require('shout')('hi')") > $out/shout
tests:
  lib:
    node: { lockfile: pnpm-lock.yaml }
    script: |
      cd packages/lib
      node --test --test-reporter=junit --test-reporter-destination="$NIXKIT_REPORTS/junit.xml" test/
  all:
    node: { lockfile: pnpm-lock.yaml }
    script: pnpm test
`;

// A second install of the same lockfile, without scripts and dev dependencies: added by the tests
// that check it (each install is a full one, in every test that builds).
const LEAN_BUILD = `  lean:
    node: { lockfile: pnpm-lock.yaml, scripts: false, omit: [dev] }
    script: |
      mkdir -p $out
      ls node_modules/.pnpm > $out/installed
      ls -a node_modules > $out/root-modules
`;
const withLeanBuild = (dir: string) => editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace("\ntests:\n", `\n${LEAN_BUILD}tests:\n`));

/** The fixture with a root package name of its own, so its install is new to the store. */
function pnpmProject(): string {
  const dir = tempDir("nixkit-pnpm-");
  cpSync(path.join(repoRoot, "test/fixtures/pnpm-workspace"), dir, { recursive: true });
  editFile(path.join(dir, "package.json"), (t) =>
    t.replace('"pnpm-workspace-fixture"', JSON.stringify(`pnpm-ws-${process.pid}-${Date.now()}`)),
  );
  writeFileSync(path.join(dir, "nixkit.yaml"), manifest);
  return dir;
}

const installing = /building \S*pnpm-node-modules/;

describe("node: a pnpm workspace from its own lockfile", () => {
  test(
    versioned(
      "build, test with JUnit and the shell: members linked, catalog and alias resolved, the patch applied, this platform's esbuild only",
      "fixed-output fetches and a server on the sandbox's loopback",
    ),
    async () => {
      const dir = pnpmProject();
      withLeanBuild(dir);
      const build = await nixkit(["build", "-v"], { cwd: dir });
      expect(build.exitCode, build.stderr).toBe(0);
      const out = outOf(build.stdout, "app")!;
      // @ws/lib (workspace:) bundled, its catalog is-odd and npm:-aliased left-pad resolved; is-number patched.
      expect(readFileSync(path.join(out, "ran"), "utf8")).toBe("  odd true\n");
      expect(readFileSync(path.join(out, "pnpm-version"), "utf8").trim()).toBe("10.34.9");
      const installed = readFileSync(path.join(out, "installed"), "utf8").trim().split("\n");
      expect(installed.filter((p) => p.startsWith("@esbuild"))).toEqual(["@esbuild+linux-x64@0.25.0"]);
      expect(readFileSync(path.join(out, "patched"), "utf8")).toContain("module.exports = function(num) { // patched by ws");
      expect(fetchedTarballs(build.stderr)).not.toContain("darwin-arm64-0.25.0.tgz");
      // A file: package (copied in by pnpm), a link: one, and the root's own postinstall, run.
      expect(readFileSync(path.join(out, "greeting"), "utf8")).toBe("hello nix\n");
      expect(readFileSync(path.join(out, "shout"), "utf8")).toBe("HI!\n");
      expect(readFileSync(path.join(out, "postinstall"), "utf8")).toBe("by the root postinstall");
      // scripts: false and omit: [dev]: no postinstall ran, no devDependency (esbuild) installed.
      const lean = outOf(build.stdout, "lean")!;
      expect(readFileSync(path.join(lean, "root-modules"), "utf8").split("\n")).not.toContain(".postinstall-ran");
      const leanInstalled = readFileSync(path.join(lean, "installed"), "utf8");
      expect(leanInstalled).toContain("is-odd@3.0.1");
      expect(leanInstalled).not.toContain("esbuild");
      // The .npmrc's setting reached pnpm; its auth line reached nothing.
      const flake = readFileSync(path.join(dir, "flake.nix"), "utf8");
      expect(flake).toContain('auto-install-peers = "true";');
      expect(flake).not.toContain("NPM_TOKEN");

      const tested = await nixkit(["--json", "test", "--junit", "junit.xml"], { cwd: dir });
      expect(tested.exitCode, tested.stderr).toBe(0);
      const results = (JSON.parse(tested.stdout) as { tests: { name: string; status: string }[] }).tests;
      expect(results.map((t) => [t.name, t.status])).toEqual([
        ["lib", "pass"],
        ["all", "pass"],
      ]);
      const junit = readFileSync(path.join(dir, "junit.xml"), "utf8");
      expect(junit).toContain('name="odd numbers are padded"');
      expect(junit).toContain('name="even numbers are not"');

      const shell = await nixkit(["run", "--", "pnpm", "test"], { cwd: dir });
      expect(shell.exitCode, shell.stderr).toBe(0);
      expect(shell.stdout, shell.stdout + shell.stderr).toContain("  odd true");
      const member = await nixkit(["run", "--", "node", "-p", "require('@ws/lib')(5)"], { cwd: path.join(dir, "packages/app") });
      expect(member.exitCode, member.stderr).toBe(0);
      expect(member.stdout.trimEnd()).toBe("  odd");
      const linked = await nixkit(["run", "--", "node", "-p", "require('shout')('hi')"], { cwd: path.join(dir, "packages/lib") });
      expect(linked.exitCode, linked.stderr).toBe(0);
      expect(linked.stdout.trimEnd()).toBe("HI!");
      expect(existsSync(path.join(dir, "node_modules/.pnpm"))).toBe(true);
    },
  );

  test("a code change neither refetches nor reinstalls; a bumped dependency refetches that tarball only", async () => {
    const dir = pnpmProject();
    expect((await nixkit(["build"], { cwd: dir })).exitCode).toBe(0);
    editFile(path.join(dir, "packages/lib/index.js"), (t) => t + "// changed\n");
    const again = await nixkit(["build", "-v"], { cwd: dir });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(installing);
    expect(fetchedTarballs(again.stderr)).toEqual([]);

    // An earlier run may have fetched left-pad 1.2.0: delete it (no install refers to a tarball).
    for (const name of readdirSync("/nix/store").filter((n) => n.endsWith("-left-pad-1.2.0.tgz")))
      await nix(["store", "delete", `/nix/store/${name}`], dir);
    // What `pnpm add left-pad@npm:left-pad@1.2.0` writes.
    editFile(path.join(dir, "pnpm-lock.yaml"), (t) =>
      t.replaceAll("left-pad@1.3.0", "left-pad@1.2.0").replace("version: 1.3.0", "version: 1.2.0").replace(LEFT_PAD_1_3_0, LEFT_PAD_1_2_0),
    );
    editFile(path.join(dir, "packages/lib/package.json"), (t) => t.replace("npm:left-pad@1.3.0", "npm:left-pad@1.2.0"));
    const bumped = await nixkit(["build", "-v"], { cwd: dir });
    expect(bumped.exitCode, bumped.stderr).toBe(0);
    expect(fetchedTarballs(bumped.stderr)).toEqual(["left-pad-1.2.0.tgz"]);
    expect(bumped.stderr).toMatch(installing);
  });

  test("the memory of a fetch ahead is checked: with its install collected, the next build looks for missing tarballs again", async () => {
    const dir = pnpmProject();
    const first = await nixkit(["build", "-v"], { cwd: dir });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toContain("nixkit.npmInstalls");
    const again = await nixkit(["build", "-v"], { cwd: dir });
    expect(again.stderr).not.toContain("nixkit.npmInstalls");

    // The install is this project's own (its root package name): deleting it takes nothing from other tests.
    const installs = await nix(["eval", "--json", ".#legacyPackages.x86_64-linux.nixkit.npmInstalls"], dir);
    const install = (JSON.parse(installs.stdout) as { install: string }[])[0]!.install;
    rmSync(path.join(dir, ".nixkit/cache/gcroots"), { recursive: true, force: true });
    for (const link of readdirSync(dir).filter((n) => n.startsWith("result"))) rmSync(path.join(dir, link));
    const outputs = [outOf(first.stdout, "app")!];
    expect((await nix(["store", "delete", ...outputs, install], dir)).exitCode).toBe(0);
    const afterGc = await nixkit(["build", "-v"], { cwd: dir });
    expect(afterGc.exitCode, afterGc.stderr).toBe(0);
    expect(afterGc.stderr).toContain("nixkit.npmInstalls");
  });

  test("a lockfile out of date with package.json fails in the sandbox naming the command that updates it", async () => {
    const dir = pnpmProject();
    editFile(path.join(dir, "packages/app/package.json"), (t) =>
      t.replace('"is-number": "7.0.0"', '"is-number": "7.0.0",\n    "ms": "2.1.3"'),
    );
    const result = await nixkit(["build"], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/pnpm-lock\.yaml: out of date with package\.json .*run `pnpm install` to update it/);
  });
});

describe("node: pnpm 8 and its 6.0 lockfile", () => {
  test("build, test with JUnit and the shell: react-dom's peer-suffixed key, installed by pnpm 8 itself", async () => {
    const dir = tempDir("nixkit-pnpm8-");
    cpSync(path.join(repoRoot, "test/fixtures/pnpm8"), dir, { recursive: true });
    editFile(path.join(dir, "package.json"), (t) => t.replace('"pnpm8-fixture"', JSON.stringify(`pnpm8-${process.pid}-${Date.now()}`)));
    writeFileSync(
      path.join(dir, "nixkit.yaml"),
      `version: 1
name: pnpm8
systems: [x86_64-linux]
inputs:
  nixpkgs: ${JSON.stringify(offlinePkgs())}
shell:
  node: {}
builds:
  app:
    node: {}
    script: |
      mkdir -p $out
      node -p "require('./index.js')(3)" > $out/rendered
      pnpm --version > $out/pnpm-version
tests:
  unit:
    node: {}
    script: node --test --test-reporter=junit --test-reporter-destination="$NIXKIT_REPORTS/junit.xml" test/
`,
    );
    const build = await nixkit(["build"], { cwd: dir });
    expect(build.exitCode, build.stderr).toBe(0);
    const out = outOf(build.stdout, "app")!;
    expect(readFileSync(path.join(out, "rendered"), "utf8")).toBe("<b>odd</b>\n");
    expect(readFileSync(path.join(out, "pnpm-version"), "utf8").trim()).toBe("8.15.9");
    const tested = await nixkit(["test", "--junit", "junit.xml"], { cwd: dir });
    expect(tested.exitCode, tested.stderr).toBe(0);
    expect(readFileSync(path.join(dir, "junit.xml"), "utf8")).toContain('name="even numbers render as even"');
    const shell = await nixkit(["run", "--", "pnpm", "test"], { cwd: dir });
    expect(shell.exitCode, shell.stderr).toBe(0);
    expect(shell.stdout).toMatch(/# pass 2/);
  });
});

describe("pnpm lockfiles nixkit refuses, at their line and column (exit 2)", () => {
  test("a git dependency, a remote tarball and an old lockfile version", async () => {
    const dir = pnpmProject();
    editFile(path.join(dir, "pnpm-lock.yaml"), (t) =>
      t.replace(
        `  left-pad@1.3.0:\n    resolution: {integrity: ${LEFT_PAD_1_3_0}}`,
        "  left-pad@1.3.0:\n    resolution: {type: git, repo: 'https://git.example.invalid/left-pad.git', commit: 5f2a0b1}",
      ),
    );
    const git = await nixkit(["build"], { cwd: dir });
    expect(git.exitCode).toBe(2);
    expect(git.stderr).toMatch(/pnpm-lock\.yaml:\d+:17: left-pad is a git dependency \(https:\/\/git\.example\.invalid\/left-pad\.git\)/);

    editFile(path.join(dir, "pnpm-lock.yaml"), (t) =>
      t.replace(
        "{type: git, repo: 'https://git.example.invalid/left-pad.git', commit: 5f2a0b1}",
        "{tarball: 'https://files.example.invalid/left-pad.tgz'}",
      ),
    );
    const tarball = await nixkit(["build"], { cwd: dir });
    expect(tarball.exitCode).toBe(2);
    expect(tarball.stderr).toMatch(/left-pad is downloaded from https:\/\/files\.example\.invalid\/left-pad\.tgz, not from a registry/);

    editFile(path.join(dir, "pnpm-lock.yaml"), (t) => t.replace("lockfileVersion: '9.0'", "lockfileVersion: '5.4'"));
    const old = await nixkit(["build"], { cwd: dir });
    expect(old.exitCode).toBe(2);
    expect(old.stderr).toMatch(/pnpm-lock\.yaml:1:18: lockfileVersion 5\.4 is not a pnpm lockfile nixkit installs from/);
  });

  test("packageManager naming another tool is refused at its line", async () => {
    const dir = pnpmProject();
    editFile(path.join(dir, "package.json"), (t) => t.replace(/"packageManager": "[^"]*"/, '"packageManager": "yarn@4.5.0"'));
    const result = await nixkit(["build"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/package\.json:4:3: packageManager names yarn, but the project is locked by pnpm/);
  });
});
