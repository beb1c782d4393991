// Node dependencies from package-lock.json, for real: every package fetched by Nix from the
// registry npm is configured with (the fixture's lockfile records no URLs), installed by npm ci
// in the sandbox, and linked into builds, tests and the shell. The fixture has a scoped package,
// a platform-specific optional package (esbuild's), bins, a workspace member and a file: package.
import { execa } from "execa";
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { countingNix, nix, nixkit, repoRoot, tempDir, versioned } from "../helpers.js";
import { editFile, fetchedTarballs, offlinePkgs, outOf } from "./project.js";

const MS_2_1_3 = "sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==";

function manifest(extra = ""): string {
  return `version: 1
name: node-deps
systems: [x86_64-linux]
inputs:
  nixpkgs: ${JSON.stringify(offlinePkgs())}
shell:
  node: {}
builds:
  app:
    node: {}
    src: { include: ["src/**", "package.json"] }
    script: |
      mkdir -p $out
      node src/main.js > $out/main.json
      semver 1.2.3 > $out/semver-bin
      esbuild --version > $out/esbuild-version
      ls node_modules/@esbuild > $out/platforms
      readlink node_modules/ms > $out/modules-link
      esbuild src/main.js --bundle --platform=node --format=esm --log-level=warning --outfile=$out/bundle.mjs
tests:
  unit:
    node: {}
    script: |
      readlink node_modules/ms > "$NIXKIT_REPORTS/modules-link"
      node --test --test-reporter=junit --test-reporter-destination="$NIXKIT_REPORTS/junit.xml" test/
${extra}`;
}

function nodeProject(extra = ""): string {
  const dir = tempDir("nixkit-node-");
  cpSync(path.join(repoRoot, "test/fixtures/node-deps"), dir, { recursive: true });
  mkdirSync(path.join(dir, "test"));
  writeFileSync(
    path.join(dir, "test/main.test.js"),
    `import { test } from "node:test";\nimport assert from "node:assert";\nimport ms from "ms";\ntest("ms", () => assert.strictEqual(ms(1000), "1s"));\n`,
  );
  writeFileSync(path.join(dir, "nixkit.yaml"), manifest(extra));
  return dir;
}

const installing = /building \S*-node-modules/;

describe("node: dependencies from the lockfile", () => {
  test(
    versioned(
      "build and test install the lockfile's packages in the sandbox, this system's platform package only",
      "fixed-output fetches in the sandbox",
    ),
    async () => {
      const dir = nodeProject();
      const build = await nixkit(["build", "-v"], { cwd: dir });
      expect(build.exitCode, build.stderr).toBe(0);
      const out = outOf(build.stdout, "app")!;
      expect(JSON.parse(readFileSync(path.join(out, "main.json"), "utf8"))).toEqual({
        ms: "2s",
        semver: "1.2.3",
        greet: "hello ada, in 1m",
        answer: 42,
      });
      expect(readFileSync(path.join(out, "semver-bin"), "utf8").trim()).toBe("1.2.3");
      expect(readFileSync(path.join(out, "esbuild-version"), "utf8").trim()).toBe("0.24.0");
      expect(readFileSync(path.join(out, "platforms"), "utf8").trim()).toBe("linux-x64");
      // Only this system's esbuild binary was fetched: none of the 20-odd other platforms'.
      expect(fetchedTarballs(build.stderr).filter((t) => t.startsWith("esbuild-"))).toEqual(
        expect.not.arrayContaining(["esbuild-darwin-arm64-0.24.0.tgz"]),
      );
      // The bundle is self-contained: the host's node runs it without node_modules.
      const bundled = await execa("node", [path.join(out, "bundle.mjs")], { cwd: tempDir() });
      expect(JSON.parse(bundled.stdout).greet).toBe("hello ada, in 1m");

      const tests = await nixkit(["test"], { cwd: dir });
      expect(tests.exitCode, tests.stderr).toBe(0);
      const report = /^unit\s+PASS.*?(\/nix\/store\/[^/]+)\/reports/m.exec(tests.stdout)![1]!;
      expect(readFileSync(path.join(report, "reports/junit.xml"), "utf8")).toMatch(/<testcase [^>]*name="ms"/);
      // One installed node_modules in the store, shared by the build and the test.
      const installed = readFileSync(path.join(out, "modules-link"), "utf8").trim();
      expect(installed).toMatch(/^\/nix\/store\/[a-z0-9]{32}-node-deps-fixture-node-modules\/node_modules\/ms$/);
      expect(readFileSync(path.join(report, "reports/modules-link"), "utf8").trim()).toBe(installed);
    },
  );

  test(
    versioned(
      "a code change neither refetches nor reinstalls; one bumped dependency refetches that tarball only",
      "nix-store --add-fixed into the paths the fetches name",
    ),
    async () => {
      const dir = nodeProject();
      // A project new to the store: its install fetches every tarball the store lacks.
      const rename = (name: string) => {
        for (const file of ["package-lock.json", "package.json"])
          editFile(path.join(dir, file), (t) => t.replace(/"name": "node-deps[^"]*"/g, `"name": ${JSON.stringify(name)}`));
      };
      rename(`node-deps-a-${Date.now()}`);
      expect((await nixkit(["build"], { cwd: dir })).exitCode).toBe(0);
      editFile(path.join(dir, "src/main.js"), (t) => t + "// changed\n");
      const again = await nixkit(["build", "-v"], { cwd: dir });
      expect(again.exitCode, again.stderr).toBe(0);
      expect(again.stderr).not.toMatch(installing);
      expect(fetchedTarballs(again.stderr)).toEqual([]);

      const unique = `node-deps-${Date.now()}`;
      // An earlier run may have fetched ms 2.1.3: delete it (no install refers to a tarball).
      for (const name of readdirSync("/nix/store").filter((n) => n.endsWith("-ms-2.1.3.tgz")))
        await nix(["store", "delete", `/nix/store/${name}`], dir);
      editFile(path.join(dir, "package-lock.json"), (t) => {
        const lock = JSON.parse(t) as {
          packages: Record<string, { version?: string; integrity?: string; dependencies?: Record<string, string> }>;
        };
        lock.packages["node_modules/ms"] = { ...lock.packages["node_modules/ms"], version: "2.1.3", integrity: MS_2_1_3 };
        lock.packages[""]!.dependencies!.ms = "2.1.3";
        lock.packages["packages/greeter"]!.dependencies!.ms = "2.1.3";
        return JSON.stringify(lock, null, 2);
      });
      editFile(path.join(dir, "package.json"), (t) =>
        t.replace('"ms": "2.1.2"', '"ms": "2.1.3"').replace('"node-deps-fixture"', JSON.stringify(unique)),
      );
      editFile(path.join(dir, "packages/greeter/package.json"), (t) => t.replace('"ms": "2.1.2"', '"ms": "2.1.3"'));
      // What a killed nixkit left among its downloads is swept by the next one that downloads.
      const exited = execa("true");
      await exited;
      const dead = exited.pid!;
      const leftover = path.join(
        process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"),
        "nixkit/downloads",
        `.npm.${dead}.abcd1234.tmp`,
      );
      mkdirSync(path.join(leftover, "0"), { recursive: true });
      writeFileSync(path.join(leftover, "0/ms-2.1.3.tgz"), "half a tarball");
      const bumped = await nixkit(["build", "-v"], { cwd: dir });
      expect(bumped.exitCode, bumped.stderr).toBe(0);
      expect(fetchedTarballs(bumped.stderr)).toEqual(["ms-2.1.3.tgz"]);
      expect(existsSync(leftover)).toBe(false);
      expect(bumped.stderr).toMatch(installing);
    },
  );

  test("the shell links the locked node_modules (bins on PATH, .cache writable) and leaves a user's own alone", async () => {
    const dir = nodeProject();
    const run = await nixkit(
      ["run", "--", "sh", "-c", "node src/main.js && semver 2.0.0 && touch node_modules/.cache/written && echo ok"],
      { cwd: dir },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('"answer":42');
    expect(run.stdout).toMatch(/2\.0\.0\nok$/);
    expect(lstatSync(path.join(dir, "node_modules/ms")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(dir, "node_modules/greeter"))).toBe("../packages/greeter");

    // A lockfile change (npm install did it) reaches the next, warm, entry: the new install is linked.
    const renamed = `node-deps-shell-${Date.now()}`;
    for (const file of ["package-lock.json", "package.json"])
      editFile(path.join(dir, file), (t) => t.replace(/"name": "node-deps[^"]*"/g, `"name": ${JSON.stringify(renamed)}`));
    const again = await nixkit(["run", "--", "cat", "node_modules/.nixkit-node-modules"], { cwd: dir });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout.trim()).toMatch(new RegExp(`-${renamed}-node-modules$`));

    // A node_modules npm made (not nixkit's links) is never replaced.
    const own = path.join(dir, "own");
    cpSync(path.join(repoRoot, "test/fixtures/node-deps"), own, { recursive: true });
    writeFileSync(path.join(own, "nixkit.yaml"), manifest());
    mkdirSync(path.join(own, "node_modules/ms"), { recursive: true });
    writeFileSync(path.join(own, "node_modules/ms/mine.txt"), "user's\n");
    const kept = await nixkit(["run", "--", "true"], { cwd: own });
    expect(kept.exitCode, kept.stderr).toBe(0);
    expect(kept.stderr).toMatch(/node_modules was not made by nixkit.*leaving it/);
    expect(readdirSync(path.join(own, "node_modules/ms"))).toEqual(["mine.txt"]);
  });

  test("a test that reaches for the network fails: only Nix's fetches may download", async () => {
    const registry = (await execa("npm", ["config", "get", "registry"])).stdout.trim();
    const dir = nodeProject(`  online:
    node: {}
    env: { URL: ${JSON.stringify(registry)} }
    script: |
      node -e 'fetch(process.env.URL).then(() => console.log("REACHED"), (e) => { console.log("NO NETWORK", e.cause?.code); process.exit(7) })'
`);
    const result = await nixkit(["test", "online"], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^online\s+FAIL/m);
    expect(result.stderr + result.stdout).toContain("NO NETWORK");
    expect(result.stderr + result.stdout).not.toContain("REACHED");
  });
});

test("a fresh clone after `nixkit cache pull` runs `npm test` in the shell with no Nix call: the install came from the cache", async () => {
  const dir = nodeProject();
  const unique = `node-pull-${process.pid}-${Date.now()}`;
  editFile(path.join(dir, "package-lock.json"), (t) => t.replaceAll('"node-deps-fixture"', JSON.stringify(unique)));
  editFile(path.join(dir, "package.json"), (t) =>
    t
      .replace('"node-deps-fixture"', JSON.stringify(unique))
      .replace('"private": true,', '"private": true,\n  "scripts": { "test": "node --test test/" },'),
  );
  const env = { XDG_CONFIG_HOME: tempDir() };
  const publicKey = (await nixkit(["cache", "keygen", "--name", `node-${process.pid}`], { env })).stdout.trim();
  const cache = tempDir();
  editFile(path.join(dir, "nixkit.yaml"), (t) => `${t}cache:\n  url: file://${cache}\n  publicKeys: [${JSON.stringify(publicKey)}]\n`);
  for (const args of [["build"], ["test"], ["run", "--", "true"]]) expect((await nixkit(args, { cwd: dir, env })).exitCode).toBe(0);
  const keyFile = path.join(env.XDG_CONFIG_HOME, `nixkit/keys/node-${process.pid}.sec`);
  const push = await nixkit(["cache", "push", "--key-file", keyFile, "--to", `file://${cache}`], { cwd: dir, env });
  expect(push.exitCode, push.stderr).toBe(0);

  // The clone: the project's files only, and a store without this install or the shell.
  const install = readlinkSync(path.join(dir, "node_modules/ms")).replace(/\/node_modules\/ms$/, "");
  const profile = realpathSync(path.join(dir, ".nixkit/cache/shell/profile"));
  rmSync(path.join(dir, ".nixkit/cache"), { recursive: true, force: true });
  const clone = tempDir("nixkit-node-clone-");
  cpSync(dir, clone, {
    recursive: true,
    filter: (src) => !/\/(node_modules|\.nixkit\/cache)(\/|$)/.test(src) && !/\/result[^/]*$/.test(src),
  });
  rmSync(dir, { recursive: true, force: true });
  // Everything that refers to the install goes too (the build and test outputs record its path).
  const referrers = (await execa("nix-store", ["--query", "--referrers-closure", install, profile])).stdout.split("\n").filter(Boolean);
  const deleted = await nix(["store", "delete", ...referrers], clone);
  expect(deleted.exitCode, deleted.stderr).toBe(0);

  const counter = countingNix();
  const pull = await nixkit(["cache", "pull"], { cwd: clone, env: { ...env, ...counter.env } });
  expect(pull.exitCode, pull.stderr).toBe(0);
  expect(existsSync(install)).toBe(true);
  const calls = counter.calls().length;
  const npmTest = await nixkit(["run", "--", "npm", "test", "--offline"], { cwd: clone, env: { ...env, ...counter.env } });
  expect(npmTest.exitCode, npmTest.stderr).toBe(0);
  expect(npmTest.stdout).toMatch(/# pass 1/);
  expect(counter.calls().length).toBe(calls);
});

test("a dependency's install script that needs the network fails saying so; scripts: false skips it", async () => {
  const dir = nodeProject();
  editFile(path.join(dir, "vendor/local-lib/package.json"), (t) => {
    const pkg = JSON.parse(t) as Record<string, unknown>;
    pkg.scripts = {
      postinstall: `node -e "fetch('https://127.0.0.1:9/').catch(() => { console.error('postinstall could not download'); process.exit(1) })"`,
    };
    return JSON.stringify(pkg);
  });
  editFile(path.join(dir, "package-lock.json"), (t) => {
    const lock = JSON.parse(t) as { packages: Record<string, Record<string, unknown>> };
    lock.packages["vendor/local-lib"]!.hasInstallScript = true;
    return JSON.stringify(lock, null, 2);
  });
  const failed = await nixkit(["build"], { cwd: dir });
  expect(failed.exitCode).toBe(1);
  expect(failed.stderr).toContain("postinstall could not download");
  expect(failed.stderr).toContain("a lifecycle script failed in the Nix sandbox (see npm's output above), which has no network");
  expect(failed.stderr).toContain("set scripts: false");
  // The shell's environment cannot be made either: said once, with the failing build's log.
  const counter = countingNix();
  const run = await nixkit(["run", "--", "true"], { cwd: dir, env: counter.env });
  expect(run.exitCode).toBe(1);
  expect(run.stderr).toContain("postinstall could not download");
  expect(run.stderr.match(/preparing the dev environment/g)).toHaveLength(1);
  expect(counter.calls().filter((c) => c.includes("print-dev-env"))).toHaveLength(1);
  // Running out of file descriptors is told as such, not blamed on the network.
  editFile(path.join(dir, "vendor/local-lib/package.json"), (t) => {
    const pkg = JSON.parse(t) as Record<string, unknown>;
    pkg.scripts = { postinstall: `ulimit -n 40; node -e "const fs = require('fs'); for (;;) fs.openSync('package.json')"` };
    return JSON.stringify(pkg);
  });
  const emfile = await nixkit(["build"], { cwd: dir });
  expect(emfile.exitCode).toBe(1);
  expect(emfile.stderr).toContain("npm ci failed: too many open files (EMFILE");
  expect(emfile.stderr).not.toContain("which has no network");
  editFile(path.join(dir, "nixkit.yaml"), (t) => t.replaceAll("    node: {}", "    node: { scripts: false }"));
  const skipped = await nixkit(["build"], { cwd: dir });
  expect(skipped.exitCode, skipped.stderr).toBe(0);
});

describe("lockfiles nixkit refuses", () => {
  test("a pnpm project: fields naming no lockfile use pnpm-lock.yaml; fields naming package-lock.json are told which was found (exit 2)", async () => {
    const dir = nodeProject();
    rmSync(path.join(dir, "package-lock.json"));
    writeFileSync(path.join(dir, "pnpm-lock.yaml"), "lockfileVersion: '5.4'\n");
    const detected = await nixkit(["build"], { cwd: dir });
    expect(detected.exitCode).toBe(2);
    expect(detected.stderr).toMatch(/pnpm-lock\.yaml:1:18: lockfileVersion 5\.4 is not a pnpm lockfile nixkit installs from/);
    editFile(path.join(dir, "nixkit.yaml"), (t) => t.replaceAll("node: {}", "node: { lockfile: package-lock.json }"));
    const result = await nixkit(["build"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    const lines = result.stderr
      .trim()
      .split("\n")
      .map((l) => l.replace(/^error: /, ""));
    expect(lines).toEqual([
      expect.stringMatching(
        /^nixkit\.yaml:7:\d+ shell\.node\.lockfile: package-lock\.json does not exist, and the project is locked by pnpm instead: set lockfile: pnpm-lock\.yaml$/,
      ),
      expect.stringMatching(/^nixkit\.yaml:10:\d+ builds\.app\.node\.lockfile: package-lock\.json does not exist/),
      expect.stringMatching(/^nixkit\.yaml:22:\d+ tests\.unit\.node\.lockfile: package-lock\.json does not exist/),
    ]);
  });

  test("lockfileVersion 1: exit 2 at the field, with the upgrade", async () => {
    const dir = nodeProject();
    writeFileSync(
      path.join(dir, "package-lock.json"),
      JSON.stringify({ name: "x", lockfileVersion: 1, requires: true, dependencies: {} }, null, 2),
    );
    const result = await nixkit(["build"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/package-lock\.json:3:3: lockfileVersion 1 is npm 6's format.*run `npm install`/);
  });

  test("a git dependency is refused naming the package", async () => {
    const dir = nodeProject();
    editFile(path.join(dir, "package-lock.json"), (t) => {
      const lock = JSON.parse(t) as { packages: Record<string, object> };
      lock.packages["node_modules/left-pad"] = {
        version: "1.3.0",
        resolved: "git+ssh://git@example.org/left-pad.git#5f2a0b1",
        license: "MIT",
      };
      return JSON.stringify(lock, null, 2);
    });
    const result = await nixkit(["build"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/package-lock\.json:\d+:\d+: left-pad is a git dependency/);
  });

  test("a missing lockfile names the field", async () => {
    const dir = nodeProject();
    editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace("shell:\n  node: {}", "shell:\n  node: { lockfile: web/package-lock.json }"));
    const result = await nixkit(["run", "--", "true"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("shell.node.lockfile: web/package-lock.json does not exist");
  });
});

test("the committed fixture and example lockfiles (npm's, pnpm's and yarn's) record no download URL (the registry is read at run time)", () => {
  for (const file of ["test/fixtures/node-deps/package-lock.json"]) {
    expect(existsSync(path.join(repoRoot, file))).toBe(true);
    expect(readFileSync(path.join(repoRoot, file), "utf8")).not.toMatch(/"resolved": "https?:/);
  }
  // pnpm's: registry packages by integrity only (no tarball URL), and no URL anywhere.
  for (const fixture of ["pnpm-workspace", "pnpm8"]) {
    const pnpmLock = path.join(repoRoot, `test/fixtures/${fixture}/pnpm-lock.yaml`);
    expect(existsSync(pnpmLock)).toBe(true);
    expect(readFileSync(pnpmLock, "utf8")).not.toMatch(/https?:|tarball:/);
  }
  // yarn 1 always writes URLs: the fixture's are a placeholder, made from npm's setting at test time.
  const yarnLock = readFileSync(path.join(repoRoot, "test/fixtures/yarn-workspace/yarn.lock"), "utf8");
  expect(yarnLock).not.toMatch(/:\/\//);
  expect(yarnLock.match(/resolved "@REGISTRY@\//g)?.length).toBe(5);
  // yarn 4's: packages by npm: resolutions (the registry from the settings), no URL, no registry setting.
  const berry = path.join(repoRoot, "test/fixtures/yarn-berry");
  expect(readFileSync(path.join(berry, "yarn.lock"), "utf8")).not.toMatch(/:\/\/|__archiveUrl/);
  expect(readFileSync(path.join(berry, ".yarnrc.yml"), "utf8")).not.toMatch(/npmRegistryServer|:\/\//);
});

test("#!/usr/bin/env and #!/bin/bash work in the sandbox: install scripts calling node_modules/.bin, a husky-like prepare, the project's own scripts", async () => {
  const dir = nodeProject();
  // A dependency's postinstall and the project's prepare both run a bin whose shebang is #!/usr/bin/env node.
  editFile(path.join(dir, "vendor/local-lib/package.json"), (t) =>
    JSON.stringify({ ...JSON.parse(t), scripts: { postinstall: "semver 1.2.3" } }),
  );
  editFile(path.join(dir, "package-lock.json"), (t) => {
    const lock = JSON.parse(t) as { packages: Record<string, Record<string, unknown>> };
    lock.packages["vendor/local-lib"]!.hasInstallScript = true;
    return JSON.stringify(lock, null, 2);
  });
  // A project new to the store, so its install runs (and logs) here.
  const unique = `node-deps-shebangs-${Date.now()}`;
  editFile(path.join(dir, "package-lock.json"), (t) => t.replace(/"name": "node-deps-fixture"/g, `"name": ${JSON.stringify(unique)}`));
  editFile(path.join(dir, "package.json"), (t) =>
    JSON.stringify({ ...JSON.parse(t), name: unique, scripts: { prepare: "semver 2.0.0 && echo prepared-by-semver" } }),
  );
  mkdirSync(path.join(dir, "scripts"));
  writeFileSync(path.join(dir, "scripts/build.sh"), '#!/bin/bash\nset -e\nmkdir -p "$1"\necho "built by bash $BASH_VERSION" > "$1/by"\n', {
    mode: 0o755,
  });
  writeFileSync(
    path.join(dir, "nixkit.yaml"),
    manifest().replace(
      /builds:\n {2}app:[\s\S]*?\ntests:/,
      'builds:\n  app:\n    node: {}\n    src: { include: ["scripts/**", "package.json"] }\n    script: ./scripts/build.sh "$out"\ntests:',
    ),
  );
  const build = await nixkit(["build", "-v"], { cwd: dir });
  expect(build.exitCode, build.stderr).toBe(0);
  expect(build.stderr).toContain("prepared-by-semver");
  expect(readFileSync(path.join(outOf(build.stdout, "app")!, "by"), "utf8")).toMatch(/^built by bash 5/);
  // Without patchShebangs, the failure names the file and its missing interpreter.
  editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace("    node: {}\n    src:", "    node: {}\n    patchShebangs: false\n    src:"));
  const unpatched = await nixkit(["build"], { cwd: dir });
  expect(unpatched.exitCode).toBe(1);
  expect(unpatched.stderr).toContain("nixkit.yaml builds.app: ./scripts/build.sh starts with #!/bin/bash, which the sandbox does not have");
});

test("a lockfile made with the project's legacy-peer-deps installs: the .npmrc's install settings reach the sandboxed npm ci", async () => {
  const dir = tempDir("nixkit-node-peer-");
  cpSync(path.join(repoRoot, "test/fixtures/node-peer"), dir, { recursive: true });
  writeFileSync(
    path.join(dir, "nixkit.yaml"),
    `version: 1\nname: node-peer\nsystems: [x86_64-linux]\ninputs:\n  nixpkgs: ${JSON.stringify(offlinePkgs())}\nbuilds:\n  app:\n    node: {}\n    src: { include: [package.json] }\n    script: |\n      mkdir -p $out\n      node -p "require('react/package.json').version + ' ' + require('react-dom/package.json').version" > $out/versions\n`,
  );
  const build = await nixkit(["build"], { cwd: dir });
  expect(build.exitCode, build.stderr).toBe(0);
  expect(readFileSync(path.join(outOf(build.stdout, "app")!, "versions"), "utf8").trim()).toBe("17.0.2 18.3.1");
  expect(readFileSync(path.join(dir, "flake.nix"), "utf8")).toContain(
    'npmSettings = { "package-lock.json" = { legacy-peer-deps = "true"; }; };',
  );
});

test(
  versioned(
    "a tarball the registry no longer serves (HTTP 404) fails the build with what to do",
    "Nix's download error, which nixkit words",
  ),
  async () => {
    const { createServer } = await import("node:http");
    const server = createServer((_req, res) => res.writeHead(404).end("gone"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const dir = nodeProject();
      editFile(path.join(dir, "package-lock.json"), (t) => {
        const lock = JSON.parse(t) as { packages: Record<string, Record<string, unknown>> };
        lock.packages["node_modules/ms"]!.resolved = `http://127.0.0.1:${port}/ms/-/ms-2.1.2.tgz`;
        // A hash no store has, so that Nix must download it.
        lock.packages["node_modules/ms"]!.integrity = `sha512-${Buffer.alloc(64, 7).toString("base64")}`;
        return JSON.stringify(lock, null, 2);
      });
      const build = await nixkit(["build"], { cwd: dir });
      expect(build.exitCode).toBe(1);
      expect(build.stderr).toContain(
        `http://127.0.0.1:${port}/ms/-/ms-2.1.2.tgz is not served (HTTP 404): the registry no longer has that version`,
      );
    } finally {
      server.close();
    }
  },
);
