// The corpus tier: projects shaped like real ones (test/corpus/projects), each with the
// nixkit.yaml a README reader would write, taken through nixkit as a new user would: build,
// test with JUnit (the merged counts equal the runner's own report, and the runner run outside
// nixkit where the host has it), `run -- <the project's test command>` in the dev shell, and the
// image where there is one. Their lockfiles name no registry: npm's setting is read at run time.
import { execa } from "execa";
import { cpSync, existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { XMLParser } from "fast-xml-parser";
import { nixkit, repoRoot, tempDir } from "../helpers.js";
import { offlinePkgs } from "../e2e/project.js";
import { runImage } from "../e2e/run-image.js";

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

/** A copy of the project in a temp dir (a git repository with a commit, when `git`). */
async function project(name: string, git = false): Promise<string> {
  const dir = path.join(tempDir(`nixkit-corpus-${name}-`), name);
  cpSync(path.join(repoRoot, "test/corpus/projects", name), dir, { recursive: true });
  if (git) {
    const run = (...args: string[]) => execa("git", ["-C", dir, "-c", "user.email=t@example.org", "-c", "user.name=t", ...args]);
    await run("init", "-q");
    await run("add", "-A");
    await run("commit", "-qm", "the project as its authors committed it");
  }
  return dir;
}

const env = () => ({ NIXKIT_NIXPKGS: offlinePkgs() });
// tap reports every assertion and every subtest as a case; a todo subtest is a skipped one.
const TAP_COUNTS = { tests: 8, failures: 0, errors: 0, skipped: 1 };

/** Cases and outcomes of JUnit XML, counted from the <testcase> elements (at any depth). */
function countCases(xml: string): Counts {
  const counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const parser = new XMLParser({ ignoreAttributes: false, isArray: (_name, _path, _leaf, isAttribute) => !isAttribute });
  const visit = (node: unknown): void => {
    if (!node || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (key === "testcase")
        for (const c of value as Record<string, unknown>[]) {
          counts.tests++;
          // tap says a subtest was skipped or todo with a property of that name.
          const tapSkip = ((c.properties as { property?: Record<string, string>[] }[] | undefined) ?? [])
            .flatMap((p) => p.property ?? [])
            .some((p) => p["@_name"] === "skip" || p["@_name"] === "todo");
          if (c.error) counts.errors++;
          else if (c.failure) counts.failures++;
          else if (c.skipped || tapSkip) counts.skipped++;
        }
      else if (Array.isArray(value)) value.forEach(visit);
    }
  };
  visit(parser.parse(xml));
  return counts;
}

/** nixkit test --junit: exit code, the merged report's counts and the runner's own report's. */
async function nixkitTest(dir: string) {
  const merged = path.join(tempDir(), "junit.xml");
  const result = await nixkit(["test", "--junit", merged], { cwd: dir, env: env() });
  const store = /(\/nix\/store\/[^/\s]+)\/reports/.exec(result.stdout)?.[1];
  const own = store ? readdirSync(path.join(store, "reports")).filter((f) => f.endsWith(".xml")) : [];
  return {
    result,
    merged: countCases(readFileSync(merged, "utf8")),
    own: own.map((f) => countCases(readFileSync(path.join(store!, "reports", f), "utf8"))),
  };
}

test("the corpus's lockfiles record no download URL: npm's registry setting is read at run time", () => {
  for (const name of readdirSync(path.join(repoRoot, "test/corpus/projects"))) {
    const lock = path.join(repoRoot, "test/corpus/projects", name, "package-lock.json");
    const text = (() => {
      try {
        return readFileSync(lock, "utf8");
      } catch {
        return "";
      }
    })();
    expect(text, name).not.toMatch(/"resolved":\s*"https?:/);
    const pnpmLock = path.join(repoRoot, "test/corpus/projects", name, "pnpm-lock.yaml");
    if (existsSync(pnpmLock)) expect(readFileSync(pnpmLock, "utf8"), name).not.toMatch(/https?:|tarball:/);
  }
});

describe("node:test with top-level tests, a failing one and a skipped one", () => {
  test("test fails as the runner does, with every case in the merged report; run -- npm test in the shell", async () => {
    const dir = await project("node-test-failing");
    const { result, merged, own } = await nixkitTest(dir);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(merged).toEqual({ tests: 6, failures: 1, errors: 0, skipped: 1 });
    expect(own).toEqual([merged]);
    // The same runner outside nixkit, on the host's node.
    const native = await execa("node", ["--test", "--test-reporter=junit"], { cwd: dir, reject: false });
    expect(countCases(native.stdout)).toEqual(merged);
    const run = await nixkit(["run", "--", "npm", "test"], { cwd: dir, env: env() });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/# fail 1/);
  });
});

describe("tap with nested subtests and a todo", () => {
  test("every assertion and subtest tap reports is a case of the merged report; npm test runs in the shell", async () => {
    const dir = await project("tap-nested");
    const { result, merged, own } = await nixkitTest(dir);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(own).toEqual([merged]);
    expect(merged).toEqual(TAP_COUNTS);
    const run = await nixkit(["run", "--", "npm", "test", "--", "test/queue.js"], { cwd: dir, env: env() });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).toMatch(/# \{ total: \d+, pass: \d+, todo: 1 \}|todo: 1/);
  });
});

describe("a lockfile with a peer-dependency conflict, made with legacy-peer-deps in its .npmrc", () => {
  test("installs as it was made, and its tests pass", async () => {
    const dir = await project("peer-legacy");
    const { result, merged } = await nixkitTest(dir);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(merged).toEqual({ tests: 2, failures: 0, errors: 0, skipped: 0 });
    const run = await nixkit(["run", "--", "npm", "test"], { cwd: dir, env: env() });
    expect(run.exitCode, run.stderr).toBe(0);
  });
});

describe("jest 30 (a dependency with an install script, jest-junit)", () => {
  test("builds its install, its cases come through, and npm test runs in the shell", async () => {
    const dir = await project("jest-postinstall");
    const { result, merged, own } = await nixkitTest(dir);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(merged).toEqual({ tests: 6, failures: 0, errors: 0, skipped: 1 });
    expect(own).toEqual([merged]);
    const run = await nixkit(["run", "--", "npm", "test", "--", "--ci"], { cwd: dir, env: env() });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Tests:\s+1 skipped, 5 passed, 6 total/);
  });
});

describe("vitest 4 with rolldown's native binding, and a tsc build", () => {
  test("tsc builds, vitest's native addon loads in the sandbox, cases come through", async () => {
    const dir = await project("vitest-tsc");
    const build = await nixkit(["build"], { cwd: dir, env: env() });
    expect(build.exitCode, build.stderr).toBe(0);
    const out = /^lib\s+(\/nix\/store\/\S+)/m.exec(build.stdout)![1]!;
    expect(readdirSync(out).sort()).toEqual(["slug.d.ts", "slug.js"]);
    const { result, merged, own } = await nixkitTest(dir);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(merged).toEqual({ tests: 4, failures: 0, errors: 0, skipped: 1 });
    expect(own).toEqual([merged]);
    const run = await nixkit(["run", "--", "npm", "test"], { cwd: dir, env: env() });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/3 passed/);
  });
});

describe("a pnpm 10 TypeScript monorepo: a library, a CLI depending on it with workspace:^, vitest 4 at the root", () => {
  test("pnpm builds the workspace in the sandbox, vitest's cases come through, and pnpm test runs in the shell", async () => {
    const dir = await project("pnpm-ts-monorepo", true);
    const build = await nixkit(["build"], { cwd: dir, env: env() });
    expect(build.exitCode, build.stderr).toBe(0);
    const out = /^cli\s+(\/nix\/store\/\S+)/m.exec(build.stdout)![1]!;
    expect(readFileSync(path.join(out, "hello"), "utf8")).toBe("Nix For Teams -> nix-for-teams\n");
    const { result, merged, own } = await nixkitTest(dir);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(merged).toEqual({ tests: 5, failures: 0, errors: 0, skipped: 1 });
    expect(own).toEqual([merged]);
    // As a developer would after a clone: build the workspace, then its tests, in the dev shell.
    const built = await nixkit(["run", "--", "pnpm", "-r", "build"], { cwd: dir, env: env() });
    expect(built.exitCode, built.stderr).toBe(0);
    const run = await nixkit(["run", "--", "pnpm", "test"], { cwd: dir, env: env() });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/4 passed/);
  });
});

describe("mocha with a #!/usr/bin/env node bin run by pretest, and husky's prepare", () => {
  test("the install runs husky, the pretest bin runs, mocha's cases come through", async () => {
    const dir = await project("mocha-husky", true);
    const { result, merged, own } = await nixkitTest(dir);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(merged).toEqual({ tests: 5, failures: 0, errors: 0, skipped: 0 });
    expect(own).toEqual([merged]);
    const run = await nixkit(["run", "--", "npm", "test"], { cwd: dir, env: env() });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/gen-fixtures: wrote test\/fixtures\/words\.json[\s\S]*5 passing/);
  });
});

describe("a #!/bin/bash build into lib/, with lib/ and *.lock in .gitignore (a git repository)", () => {
  test("builds, tests, and the shell runs the project's script", async () => {
    const dir = await project("bash-build-lib", true);
    const build = await nixkit(["build"], { cwd: dir, env: env() });
    expect(build.exitCode, build.stderr).toBe(0);
    const out = /^lib\s+(\/nix\/store\/\S+)/m.exec(build.stdout)![1]!;
    expect(readFileSync(path.join(out, "greeting.txt"), "utf8")).toBe("HELLO\n");
    const { result, merged } = await nixkitTest(dir);
    expect(result.exitCode, result.stderr).toBe(0);
    // No JUnit of its own: one case for the test script.
    expect(merged).toEqual({ tests: 1, failures: 0, errors: 0, skipped: 0 });
    const run = await nixkit(["run", "--", "./scripts/build.sh", "lib"], { cwd: dir, env: env() });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toBe("built 2 file(s) into lib");
  });
});

describe("pytest with a src/ layout, conftest fixtures and parametrised tests", () => {
  test("cases come through as pytest counts them, here and on the host", async () => {
    const dir = await project("pytest-src");
    const { result, merged, own } = await nixkitTest(dir);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(merged).toEqual({ tests: 7, failures: 0, errors: 0, skipped: 1 });
    expect(own).toEqual([merged]);
    const report = path.join(tempDir(), "native.xml");
    const native = await execa("python3", ["-m", "pytest", "-q", "-p", "no:cacheprovider", `--junitxml=${report}`], {
      cwd: dir,
      reject: false,
    });
    expect(native.exitCode, native.stdout).toBe(0);
    expect(countCases(readFileSync(report, "utf8"))).toEqual(merged);
    const run = await nixkit(["run", "--", "pytest", "-q", "-p", "no:cacheprovider"], { cwd: dir, env: env() });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/6 passed, 1 skipped/);
  });
});

describe("a Node service with a #!/usr/bin/env node entrypoint, as an image", () => {
  test("tests pass, the image answers in runc (its entrypoint's shebang points into the store)", async () => {
    const dir = await project("node-service-image");
    const { result, merged } = await nixkitTest(dir);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(merged).toEqual({ tests: 3, failures: 0, errors: 0, skipped: 0 });
    const image = await nixkit(["--json", "image", "build", "service"], { cwd: dir, env: env() });
    expect(image.exitCode, image.stderr).toBe(0);
    const layout = (JSON.parse(image.stdout) as { output: string }).output.replace(/^oci:/, "");
    const answer = await runImage(layout, ["--request", "/sum?a=2&b=3"]);
    expect(answer.exitCode, answer.stderr).toBe(0);
    expect(answer.stdout).toBe('200 {"sum":5}');
  });
});
