// The Node and Python examples end to end with real Nix: examples/node-service (npm dependencies
// from its lockfile, node:test writing JUnit, an esbuild bundle, an image that answers in runc)
// and examples/ml-pipeline (numpy: a seeded data set, a model with the same bytes everywhere, an
// accuracy gate with JUnit, a predictor image).
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { nix, nixkit, repoRoot, versioned } from "../helpers.js";
import { editFile, exampleProject } from "./project.js";
import { runImage } from "./run-image.js";

const reportDir = (stdout: string, name: string) => new RegExp(`^${name}\\s+\\S+.*?(/nix/store/[^/\\s]+)/reports`, "m").exec(stdout)?.[1];
const imageLayout = async (dir: string, image: string) => {
  const built = await nixkit(["--json", "image", "build", image], { cwd: dir });
  expect(built.exitCode, built.stderr).toBe(0);
  return (JSON.parse(built.stdout) as { output: string }).output.replace(/^oci:/, "");
};

describe("examples/node-service", () => {
  test("its tests pass with JUnit, its bundle builds, and its image answers a request in runc", async () => {
    const dir = exampleProject("node-service");
    const tests = await nixkit(["test", "--junit", path.join(dir, "merged.xml")], { cwd: dir });
    expect(tests.exitCode, tests.stderr).toBe(0);
    const junit = readFileSync(path.join(reportDir(tests.stdout, "unit")!, "reports/junit.xml"), "utf8");
    expect(junit.match(/<testcase /g)).toHaveLength(2);
    expect(junit).not.toContain("<failure");
    // node:test writes plain test()s straight under <testsuites>: the merged report keeps both.
    const merged = readFileSync(path.join(dir, "merged.xml"), "utf8");
    expect([...merged.matchAll(/<testcase name="([^"]+)"/g)].map((m) => m[1])).toEqual([
      "GET / reports the service as up",
      "GET /greet/:name greets",
    ]);

    const run = await runImage(await imageLayout(dir, "service"), ["--request", "/greet/runc"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toBe("200 Hello, runc!");
    // The bundle carries the dependencies: no node_modules in the image.
    expect(readdirSync(path.join(run.bundle, "rootfs/nix/store")).some((p) => p.endsWith("node-modules"))).toBe(false);
  });

  test("its committed lockfile records no download URL: npm's registry setting is read at run time", () => {
    const lock = readFileSync(path.join(repoRoot, "examples/node-service/package-lock.json"), "utf8");
    expect(lock).not.toMatch(/"resolved": "https?:/);
    expect(lock).toContain('"node_modules/@hono/node-server"');
  });
});

describe("examples/ml-pipeline", () => {
  test(
    versioned(
      "trains a model whose bytes are the same when built again elsewhere, passes its accuracy gate, and predicts in runc",
      "--rebuild's check of the output",
    ),
    async () => {
      const dir = exampleProject("ml-pipeline");
      const build = await nixkit(["build"], { cwd: dir });
      expect(build.exitCode, build.stderr).toBe(0);
      const model = /^model\s+(\/nix\/store\/\S+)/m.exec(build.stdout)![1]!;
      expect(JSON.parse(readFileSync(path.join(model, "model.json"), "utf8")).weights).toHaveLength(3);

      // Another checkout, another umask, time zone and locale: the same store path, and Nix's
      // --rebuild finds the same bytes (it fails when a rebuilt output differs).
      const other = exampleProject("ml-pipeline", "elsewhere");
      const again = await nixkit(["build", "model"], { cwd: other, env: { TZ: "Pacific/Kiritimati", LANG: "C", LC_ALL: "C" } });
      expect(again.exitCode, again.stderr).toBe(0);
      expect(/^model\s+(\/nix\/store\/\S+)/m.exec(again.stdout)![1]).toBe(model);
      const rebuilt = await nix(["build", ".#packages.x86_64-linux.model", "--rebuild", "--no-link"], other);
      expect(rebuilt.exitCode, rebuilt.stderr).toBe(0);

      const tests = await nixkit(["test"], { cwd: dir });
      expect(tests.exitCode, tests.stderr).toBe(0);
      const junit = readFileSync(path.join(reportDir(tests.stdout, "evaluate")!, "reports/junit.xml"), "utf8");
      expect(Number(/name="accuracy" value="([\d.]+)"/.exec(junit)![1])).toBeGreaterThanOrEqual(0.9);

      const run = await runImage(await imageLayout(dir, "predictor"));
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^2,1\.5 -> class 1 \(p=[\d.]+\)\n-2,-1 -> class 0 \(p=[\d.]+\)$/);
    },
  );

  test("an unknown python package or version is a manifest error at its line (exit 2)", async () => {
    const dir = exampleProject("ml-pipeline");
    editFile(path.join(dir, "nixkit.yaml"), (t) =>
      t.replace("  evaluate:\n    python: { packages: [numpy] }", '  evaluate:\n    python: { packages: [numpy, numpie], version: "2.7" }'),
    );
    const result = await nixkit(["test"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /nixkit\.yaml:\d+:\d+ tests\.evaluate\.python\.version: a Python version like "3\.12"|nixkit\.yaml:\d+:\d+ tests\.evaluate\.python\.version/,
    );
    editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace(', version: "2.7"', ""));
    const unknown = await nixkit(["test"], { cwd: dir });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(
      /nixkit\.yaml:\d+:\d+ tests\.evaluate\.python\.packages\[1\]: package "numpie" is not in python3Packages/,
    );
  });

  test("a model below the accuracy threshold fails its test, with the accuracy in the JUnit report", async () => {
    const dir = exampleProject("ml-pipeline");
    editFile(path.join(dir, "tests/evaluate.py"), (t) => t.replace("THRESHOLD = 0.9", "THRESHOLD = 0.999"));
    const tests = await nixkit(["test"], { cwd: dir });
    expect(tests.exitCode).toBe(1);
    expect(tests.stdout).toMatch(/^evaluate\s+FAIL/m);
    const junit = readFileSync(path.join(reportDir(tests.stdout, "evaluate")!, "reports/junit.xml"), "utf8");
    expect(junit).toMatch(/<failure message="accuracy 0\.\d+ is below 0\.999"\/>/);
  });
});
