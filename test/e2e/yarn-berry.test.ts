// yarn 4 (berry) projects, for real: a workspace as yarn 4.18 writes it (nodeLinker: node-modules;
// two members, one depending on the other through workspace:, a patch: made by `yarn patch`, an
// npm: alias, esbuild's platform package, which yarn records no checksum for, and its bin used by a
// build script, a file: and a link: package, a root postinstall). Each package's cache archive is checked by Nix against yarn.lock's checksum,
// yarn (packageManager's version, from npm's registry) installs from that cache in the sandbox,
// and builds, tests with JUnit and the shell use the install.
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { nix, nixkit, repoRoot, tempDir } from "../helpers.js";
import { editFile, fetchedTarballs, offlinePkgs, outOf } from "./project.js";

const SEMVER_7_6_3 =
  "88f33e148b210c153873cb08cfe1e281d518aaa9a666d4d148add6560db5cd3c582f3a08ccb91f38d5f379ead256da9931234ed122057f40bb5766e65e58adaf";
// What yarn 4 records for semver 7.6.2 (`yarn add semver@7.6.2`).
const SEMVER_7_6_2 =
  "97d3441e97ace8be4b1976433d1c32658f6afaff09f143e52c593bae7eef33de19e3e369c88bd985ce1042c6f441c80c6803078d1de2a9988080b66684cbb30c";

const manifest = `version: 1
name: yarn-berry
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
      node -p "require('greeting')('nix')" > $out/greeting
      (cd ../lib && node -p "require('shout')('hi')") > $out/shout
      cat ../../node_modules/.postinstall-ran > $out/postinstall
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

function berryProject(): string {
  const dir = tempDir("nixkit-berry-");
  cpSync(path.join(repoRoot, "test/fixtures/yarn-berry"), dir, { recursive: true });
  // A settings file of its own (the install reads it), so the install is new to the store.
  editFile(path.join(dir, ".yarnrc.yml"), (t) => `${t}# ${process.pid}-${Date.now()}\n`);
  writeFileSync(path.join(dir, "nixkit.yaml"), manifest);
  return dir;
}

const installing = /building \S*yarn-node-modules/;

describe("node: a yarn 4 workspace from its own lockfile", () => {
  test(
    // Once: what the install asks of Nix (downloads added ahead, a sandboxed build) is what
    // node-deps' and pnpm's main tests check on every Nix.
    "build, test with JUnit and the shell: members linked, a patch: package, an alias, a platform package's bin",
    async () => {
      const dir = berryProject();
      withLeanBuild(dir);
      const build = await nixkit(["build", "-v"], { cwd: dir });
      expect(build.exitCode, build.stderr).toBe(0);
      const out = outOf(build.stdout, "app")!;
      expect(readFileSync(path.join(out, "out"), "utf8")).toBe("patched odd true 1.2.3\n");
      expect(readFileSync(path.join(out, "yarn-version"), "utf8").trim()).toBe("4.18.1");
      // A file: package (an archive yarn makes of the directory), a link: one, the root's own postinstall.
      expect(readFileSync(path.join(out, "greeting"), "utf8")).toBe("hello nix\n");
      expect(readFileSync(path.join(out, "shout"), "utf8")).toBe("HI!\n");
      expect(readFileSync(path.join(out, "postinstall"), "utf8")).toBe("by the root postinstall");
      // scripts: false and omit: [dev]: no postinstall ran, no devDependency (semver) installed.
      const lean = readFileSync(path.join(outOf(build.stdout, "lean")!, "root-modules"), "utf8").split("\n");
      expect(lean).toContain("greeting");
      expect(lean).not.toContain(".postinstall-ran");
      expect(lean).not.toContain("semver");

      const tested = await nixkit(["--json", "test", "--junit", "junit.xml"], { cwd: dir });
      expect(tested.exitCode, tested.stderr).toBe(0);
      const results = (JSON.parse(tested.stdout) as { tests: { name: string; status: string }[] }).tests;
      expect(Object.fromEntries(results.map((t) => [t.name, t.status]))).toEqual({ lib: "pass", all: "pass" });
      expect(readFileSync(path.join(dir, "junit.xml"), "utf8")).toContain('name="odd numbers are told by the patched is-number"');

      const shell = await nixkit(["run", "--", "yarn", "test"], { cwd: dir });
      expect(shell.exitCode, shell.stderr).toBe(0);
      expect(shell.stdout).toMatch(/# pass 2/);
      const linked = await nixkit(["run", "--", "node", "-p", "require('semver').valid('1.0.0')"], { cwd: path.join(dir, "packages/app") });
      expect(linked.stdout.trim()).toBe("1.0.0");
    },
  );

  test("Plug'n'Play (yarn's default linker), yarn.lock detected: build, test and the shell through yarn, a user's own .pnp.cjs left alone", async () => {
    const dir = berryProject();
    withLeanBuild(dir);
    editFile(path.join(dir, ".yarnrc.yml"), (t) => t.replace("nodeLinker: node-modules\n", ""));
    // Detected, not named: the project has a yarn.lock and no package-lock.json.
    editFile(path.join(dir, "nixkit.yaml"), (t) =>
      t
        .replaceAll("node: { lockfile: yarn.lock }", "node: {}")
        .replace("      node --test --test-reporter", "      yarn node --test --test-reporter")
        .replaceAll('node -p "', 'yarn node -p "')
        // No node_modules: the root postinstall's mark and the lean build's listing have no place.
        .replace("      cat ../../node_modules/.postinstall-ran > $out/postinstall\n", "")
        .replace("ls -a node_modules >", "ls -a >"),
    );
    const build = await nixkit(["build"], { cwd: dir });
    expect(build.exitCode, build.stderr).toBe(0);
    expect(readFileSync(path.join(outOf(build.stdout, "app")!, "out"), "utf8")).toBe("patched odd true 1.2.3\n");
    const tested = await nixkit(["test", "--junit", "junit.xml"], { cwd: dir });
    expect(tested.exitCode, tested.stderr).toBe(0);
    expect(readFileSync(path.join(dir, "junit.xml"), "utf8")).toContain('name="even numbers too"');
    // In the shell, from a member's directory: .pnp.cjs (its store paths rewritten for this depth) resolves the packages.
    const shell = await nixkit(["run", "--", "yarn", "node", "-p", "require('semver').valid('2.0.0')"], {
      cwd: path.join(dir, "packages/app"),
    });
    expect(shell.exitCode, shell.stderr).toBe(0);
    expect(shell.stdout.trim()).toBe("2.0.0");
    expect(existsSync(path.join(dir, "node_modules"))).toBe(false);

    const own = berryProject();
    editFile(path.join(own, ".yarnrc.yml"), (t) => t.replace("nodeLinker: node-modules\n", ""));
    writeFileSync(path.join(own, ".pnp.cjs"), "// yarn install ran here\n");
    const kept = await nixkit(["run", "--", "true"], { cwd: own });
    expect(kept.exitCode, kept.stderr).toBe(0);
    expect(kept.stderr).toMatch(/\.pnp\.cjs was not made by nixkit \(yarn install ran\); leaving it as it is/);
    expect(readFileSync(path.join(own, ".pnp.cjs"), "utf8")).toBe("// yarn install ran here\n");
  });

  test("a code change neither refetches nor reinstalls; a bumped dependency refetches that package only, and the warm shell sees it", async () => {
    const dir = berryProject();
    expect((await nixkit(["build"], { cwd: dir })).exitCode).toBe(0);
    const semverInShell = async () =>
      (
        await nixkit(["run", "--", "node", "-p", "require('semver/package.json').version"], { cwd: path.join(dir, "packages/app") })
      ).stdout.trim();
    expect(await semverInShell()).toBe("7.6.3");
    expect(await semverInShell()).toBe("7.6.3");
    editFile(path.join(dir, "packages/lib/index.js"), (t) => t + "// changed\n");
    const again = await nixkit(["build", "-v"], { cwd: dir });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(installing);
    expect(fetchedTarballs(again.stderr)).toEqual([]);

    for (const name of readdirSync("/nix/store").filter((n) => /-semver-npm-7\.6\.2-.*\.zip$/.test(n)))
      await nix(["store", "delete", `/nix/store/${name}`], dir);
    // What `yarn up semver@7.6.2` writes.
    editFile(path.join(dir, "yarn.lock"), (t) =>
      t
        .replaceAll("semver@npm:7.6.3", "semver@npm:7.6.2")
        .replace(`semver: "npm:7.6.3"`, `semver: "npm:7.6.2"`)
        .replace("version: 7.6.3", "version: 7.6.2")
        .replace(SEMVER_7_6_3, SEMVER_7_6_2),
    );
    editFile(path.join(dir, "packages/app/package.json"), (t) => t.replace('"semver": "7.6.3"', '"semver": "7.6.2"'));
    const bumped = await nixkit(["build", "-v"], { cwd: dir });
    expect(bumped.exitCode, bumped.stderr).toBe(0);
    expect(fetchedTarballs(bumped.stderr)).toEqual(["semver-7.6.2.tgz"]);
    expect(bumped.stderr).toMatch(installing);
    // The shell's warm entry was keyed on yarn.lock: the bump is seen without a rebuild by hand.
    expect(await semverInShell()).toBe("7.6.2");
  });

  test("a lockfile out of date with package.json fails in the sandbox naming the command that updates it", async () => {
    const dir = berryProject();
    editFile(path.join(dir, "packages/app/package.json"), (t) => t.replace('"semver": "7.6.3"', '"semver": "7.6.3",\n    "ms": "2.1.3"'));
    const result = await nixkit(["build"], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/yarn\.lock: out of date with package\.json .*run `yarn install` to update it/);
  });

  test("refused at their line (exit 2): another cache key, a git dependency, a yarn 1 or unpublished packageManager", async () => {
    const dir = berryProject();
    editFile(path.join(dir, "package.json"), (t) => t.replace('"yarn@4.18.1"', '"yarn@1.22.22"'));
    const yarn1 = await nixkit(["build"], { cwd: dir });
    expect(yarn1.exitCode).toBe(2);
    expect(yarn1.stderr).toMatch(/package\.json:4:3: packageManager names yarn 1\.22\.22, but yarn\.lock is yarn 4's \(berry\)/);
    editFile(path.join(dir, "package.json"), (t) => t.replace('"yarn@1.22.22"', '"yarn@4.99.0"'));
    const unpublished = await nixkit(["build"], { cwd: dir });
    expect(unpublished.exitCode).toBe(2);
    expect(unpublished.stderr).toMatch(
      /package\.json:4:3: packageManager names yarn 4\.99\.0, which npm's registry does not have as @yarnpkg\/cli-dist@4\.99\.0 .*set it to a published version/,
    );
    editFile(path.join(dir, "package.json"), (t) => t.replace('"yarn@4.99.0"', '"yarn@4.18.1"'));

    editFile(path.join(dir, "yarn.lock"), (t) =>
      t.replace(
        'resolution: "semver@npm:7.6.3"',
        'resolution: "semver@https://github.com/npm/node-semver.git#commit=0a12d6c7debb1dc82d8645c770e77c47bac5e1ea"',
      ),
    );
    const git = await nixkit(["build"], { cwd: dir });
    expect(git.exitCode).toBe(2);
    expect(git.stderr).toMatch(/yarn\.lock:\d+:15: semver is a git dependency/);

    editFile(path.join(dir, "yarn.lock"), (t) => t.replace("cacheKey: 10c0", "cacheKey: 8"));
    const cacheKey = await nixkit(["build"], { cwd: dir });
    expect(cacheKey.exitCode).toBe(2);
    expect(cacheKey.stderr).toMatch(/yarn\.lock:6:13: cacheKey 8 is not yarn 4's 10c0/);
  });
});
