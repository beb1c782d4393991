// Every broken manifest, through the CLI in this process: exit 2, `nixkit.yaml:LINE:COL FIELD:` on stderr, and no file changed.
import { copyFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { nixkitInProcess as nixkit, repoRoot, snapshotTree, tempDir, writeTree } from "../helpers.js";

const corpus = path.join(repoRoot, "test/fixtures/bad-manifests");

// file -> the location and field path its first error must name
const expected: Record<string, string> = {
  "alias-bomb": "1:1 (root):",
  "bad-attr-path": "6:14 shell.packages[0]:",
  "bad-indent": "7:1 shell.packages:",
  "bad-system": "5:11 systems[0]:",
  "build-bad-name": "6:3 builds.My_App:",
  "build-no-script": "7:5 builds.app.script:",
  "ci-unknown-stage": "6:19 ci.stages[1]:",
  "colon-in-plain-scalar": "6:9 shell.hook:",
  "data-parent-path": "8:22 builds.model.data.train.path:",
  "data-url-and-path": "9:9 tests.unit.data.train:",
  "duplicate-build": "8:3 builds.app:",
  "duplicate-top-key": "5:1 name:",
  "env-bad-name": "7:5 shell.env.MY-VAR:",
  "env-list": "6:8 shell.env:",
  "env-reserved": "7:12 builds.app.env.out:",
  "env-fixed-output": "7:12 tests.unit.env.outputHashMode:",
  "env-nul": "8:10 builds.app.env.A:",
  "shell-env-no-chroot": "7:5 shell.env.__noChroot:",
  "gc-keep-zero": "6:9 gc.keep:",
  "glob-absolute": "8:17 tests.unit.src.exclude[0]:",
  "glob-nested-parent": "8:17 builds.app.src.include[0]:",
  "glob-parent": "8:17 builds.app.src.include[0]:",
  "image-port-range": "7:13 images.web.ports[0]:",
  "image-unknown-content": "7:16 images.web.contents[0]:",
  "missing-version": "1:1 version:",
  "name-missing": "1:1 name:",
  "name-uppercase": "2:7 name:",
  "needs-cycle": "7:12 builds.a.needs:",
  "nixpkgs-missing": "4:3 inputs:",
  "package-number": "6:18 shell.packages[1]:",
  "python-lockfile-and-packages": "8:15 shell.python.packages:",
  "packages-not-list": "6:13 shell.packages:",
  "script-not-string": "7:13 builds.app.script:",
  "tab-indent": "6:1 (root):",
  "top-level-list": "1:1 (root):",
  "top-level-scalar": "1:1 (root):",
  "two-documents": "5:1 (root):",
  "unclosed-flow-list": "7:1 shell.packages[1]:",
  "unclosed-quote": "7:1 shell.hook:",
  "undeclared-input": "6:14 shell.packages[0]:",
  "unknown-build-key": "7:5 builds.app.scrpt:",
  "unknown-needs": "10:13 tests.unit.needs[0]:",
  "unknown-top-key": "5:1 shel:",
  "version-string": "1:10 version:",
  "version-two": "1:10 version:",
};

async function expectRejected(dir: string, where: string) {
  const before = snapshotTree(dir);
  const result = await nixkit(["-C", dir, "generate"]);
  expect(result.exitCode).toBe(2);
  expect(result.stderr).toContain(`nixkit.yaml:${where}`);
  expect(result.stdout).toBe("");
  expect(snapshotTree(dir)).toEqual(before);
}

describe("bad manifests", () => {
  test("the corpus has an expectation for every file, and at least 30 files", () => {
    const files = readdirSync(corpus)
      .map((f) => f.replace(/\.yaml$/, ""))
      .sort();
    expect(files).toEqual(Object.keys(expected).sort());
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  test.each(Object.entries(expected))("%s", async (name, where) => {
    const dir = tempDir();
    copyFileSync(path.join(corpus, `${name}.yaml`), path.join(dir, "nixkit.yaml"));
    writeTree(dir, { "src/main.sh": "echo hi\n", ".gitignore": "result*\n" });
    await expectRejected(dir, where);
  });

  test("an empty file", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "nixkit.yaml"), "");
    await expectRejected(dir, "1:1 (root): the manifest is empty");
  });

  test("binary garbage", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "nixkit.yaml"), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x0a, 0xc3, 0x28, 0x00]));
    await expectRejected(dir, "2:1 (root): the manifest is not UTF-8 text");
  });

  test("a 10 MB file", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "nixkit.yaml"), "version: 1\n" + "# padding\n".repeat(1_000_000));
    await expectRejected(dir, "1:1 (root): the manifest is 9.5 MiB");
  });

  test("an env value over the size limit names the limit", async () => {
    const dir = tempDir();
    const big = "x".repeat(300 * 1024);
    writeFileSync(
      path.join(dir, "nixkit.yaml"),
      `version: 1\nname: big\ninputs: { nixpkgs: "path:/x" }\nbuilds:\n  app:\n    env: { BIG: ${big} }\n    script: x\n`,
    );
    await expectRejected(dir, "6:17 builds.app.env.BIG: the value is 307200 bytes; environment values are limited to 65536 bytes");
  });

  test("no manifest at all", async () => {
    const dir = tempDir();
    const result = await nixkit(["-C", dir, "generate"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("no manifest here (run `nixkit init`");
  });

  test("a manifest error is also exit 2 for build (before any Nix work)", async () => {
    const dir = tempDir();
    copyFileSync(path.join(corpus, "unknown-needs.yaml"), path.join(dir, "nixkit.yaml"));
    const result = await nixkit(["-C", dir, "build"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("nixkit.yaml:10:13 tests.unit.needs[0]:");
  });
});
