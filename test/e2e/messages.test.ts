// What nixkit says, for a user and for a machine: builds skipped because of a failed build they
// need, test times without queue time, malformed JUnit reports named, --json everywhere (errors
// too), and the project name init chose.
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { describe, expect, test } from "vitest";
import { nixkit, tempDir, writeTree, versioned } from "../helpers.js";
import { offlinePkgs } from "./project.js";

const RUN_ID = `${process.pid}-${Date.now()}`;

function project(manifest: Record<string, unknown>): string {
  const dir = tempDir();
  writeTree(dir, {
    "nixkit.yaml": stringify({ version: 1, name: "t", systems: ["x86_64-linux"], inputs: { nixpkgs: offlinePkgs() }, ...manifest }),
  });
  return dir;
}

describe("a failed build and the builds that need it", () => {
  const manifest = {
    builds: {
      lib: { script: `echo ${RUN_ID}; exit 3` },
      app: { needs: ["lib"], script: "mkdir $out" },
      other: { script: `echo ${RUN_ID} > $out` },
    },
    ci: { stages: ["build"] },
  };
  test(
    versioned("nixkit build: lib FAILED, app SKIPPED naming lib, other built; exit 1", "internal-json's failed and skipped builds"),
    async () => {
      const dir = project(manifest);
      const result = await nixkit(["-C", dir, "build"]);
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toMatch(/^lib\tFAILED: the build failed/m);
      expect(result.stdout).toMatch(/^app\tSKIPPED: needs lib, which failed$/m);
      expect(result.stdout).toMatch(/^other\t\/nix\/store\//m);
      const json = await nixkit(["-C", dir, "--json", "build"]);
      const builds = JSON.parse(json.stdout).builds as { name: string; status: string }[];
      expect(Object.fromEntries(builds.map((b) => [b.name, b.status]))).toEqual({ lib: "failed", app: "skipped", other: "built" });
    },
  );
  test("nixkit ci: the build stage reports app as skipped, not failed", async () => {
    const dir = project(manifest);
    await nixkit(["-C", dir, "lock"]);
    const report = path.join(dir, "report.json");
    const result = await nixkit(["-C", dir, "ci", "--stages", "build", "--report", report]);
    expect(result.exitCode).toBe(1);
    const jobs = JSON.parse(readFileSync(report, "utf8")).jobs as { name: string; status: string; detail?: string }[];
    expect(jobs.map((j) => [j.name, j.status, j.detail ?? ""])).toEqual(
      expect.arrayContaining([
        ["lib", "failed", "the build failed (its log is above)"],
        ["app", "skipped", "needs lib, which failed"],
        ["other", "passed", ""],
      ]),
    );
  });
});

test("a test's time is the time it ran, not the time it waited for a build slot", async () => {
  const tests = Object.fromEntries(["a", "b", "c", "d"].map((n) => [n, { script: `sleep 1 # ${RUN_ID}` }]));
  const dir = project({ tests });
  const result = await nixkit(["-C", dir, "--json", "test", "-j", "1"]);
  expect(result.exitCode, result.stderr).toBe(0);
  const durations = (JSON.parse(result.stdout).tests as { durationMs: number }[]).map((t) => t.durationMs);
  for (const ms of durations) {
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(2000);
  }
});

test("a malformed JUnit report is named, left out, and the test's own result stands for it", async () => {
  const dir = project({
    tests: { broken: { script: `echo '<testsuite name="x"><testcase name="y">' > $NIXKIT_REPORTS/junit.xml; exit 1 # ${RUN_ID}` } },
  });
  const junit = path.join(dir, "junit.xml");
  const result = await nixkit(["-C", dir, "test", "--junit", junit]);
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toMatch(
    /test broken: .*\/reports\/junit\.xml is not well-formed XML \(.*\); it is left out of the merged JUnit report/,
  );
  const merged = readFileSync(junit, "utf8");
  expect(merged).toContain('<testcase name="broken" classname="nixkit"');
  expect(merged).toContain('<failure message="the test script failed"');
  expect(merged).not.toContain('name="unnamed"');
});

describe("--json", () => {
  test("an error is one JSON object on stdout, with the position of a manifest problem", async () => {
    const dir = project({ builds: { app: { needs: ["nope"], script: "x" } } });
    const result = await nixkit(["-C", dir, "--json", "build"]);
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ code: 2, file: "nixkit.yaml", line: expect.any(Number), column: expect.any(Number) });
    const usage = await nixkit(["--json", "build", "-j", "many"]);
    expect(JSON.parse(usage.stdout)).toMatchObject({ code: 2, message: expect.stringContaining("-j takes") });
  });
  test("ci generate says what it wrote", async () => {
    const dir = project({ ci: { providers: ["github"] } });
    const result = await nixkit(["-C", dir, "--json", "ci", "generate"]);
    expect(JSON.parse(result.stdout)).toEqual({ fresh: false, written: [".github/workflows/nixkit.yml"] });
  });
});

test("init says which name it chose when the directory's name is not one", async () => {
  const dir = path.join(tempDir(), "Ünïcødé Prøject");
  mkdirSync(dir);
  const result = await nixkit(["init"], { cwd: dir });
  expect(result.exitCode).toBe(0);
  expect(result.stderr).toMatch(/named the project "[a-z][a-z0-9_-]*" after the directory "Ünïcødé Prøject"/);
});

test(
  versioned("every unknown package is reported at once, each at its line:col", "Nix's evaluation errors, which nixkit places"),
  async () => {
    const dir = project({
      shell: { packages: ["hello", "nosuchshelltool"] },
      builds: { app: { packages: ["nosuchbuildtool"], script: "mkdir $out" } },
    });
    const result = await nixkit(["-C", dir, "build"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/nixkit\.yaml:\d+:\d+ shell\.packages\[1\]: package "nosuchshelltool" is not in input "nixpkgs"/);
    expect(result.stderr).toMatch(/nixkit\.yaml:\d+:\d+ builds\.app\.packages\[0\]: package "nosuchbuildtool" is not in input "nixpkgs"/);
  },
);
