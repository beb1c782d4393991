// The pure planners: CI pipeline and generated CI files, the GC policy, JUnit merging, the test
// summary, the image documents, cache URLs and kinds, and `nix path-info --json` in both forms.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { XMLParser } from "fast-xml-parser";
import { parse } from "yaml";
import { describe, expect, test } from "vitest";
import { pushStoreUrl } from "../../src/cache/store-url.js";
import { ciFiles, renderProvider } from "../../src/ci/generate.js";
import { parseStages, planPipeline } from "../../src/ci/pipeline.js";
import { durationMs, generationsToDrop } from "../../src/gc/policy.js";
import { imageDocuments, MEDIA } from "../../src/image/oci.js";
import { parseManifest } from "../../src/manifest/parse.js";
import { pathInfos, validFromPathInfo } from "../../src/nix/store.js";
import { parseKinds, type Generation } from "../../src/roots/registry.js";
import { mergeJUnit } from "../../src/test-runner/junit.js";
import type { TestResult } from "../../src/test-runner/results.js";
import { summaryTable, tally } from "../../src/test-runner/summary.js";
import { formatDuration } from "../../src/util/table.js";
import { repoRoot, sharedFile } from "../helpers.js";

const example = () => parseManifest(readFileSync(path.join(repoRoot, "examples/hello/nixkit.yaml"))).manifest;
const withCi = (extra: string) =>
  parseManifest(readFileSync(path.join(repoRoot, "examples/hello/nixkit.yaml"), "utf8").replace("ci:\n", `ci:\n${extra}`)).manifest;

describe("CI pipeline plan", () => {
  test("the default stages with their jobs, in order", () => {
    expect(planPipeline(example())).toEqual([
      { stage: "check", jobs: ["generated-files", "flake-lock"] },
      { stage: "build", jobs: ["greet"] },
      { stage: "test", jobs: ["unit"] },
      { stage: "image", jobs: ["greeter"] },
    ]);
  });
  test("a subset keeps the pipeline's order; push lists the cache and each image when configured", () => {
    const manifest = withCi("  stages: [check, build, test, image, push]\n  registry: docker://r.example/team\n");
    expect(planPipeline(manifest, ["push", "build"])).toEqual([
      { stage: "build", jobs: ["greet"] },
      { stage: "push", jobs: ["image-greeter"] },
    ]);
  });
  test("stages parse from a comma list; an unknown one is named", () => {
    expect(parseStages(undefined)).toBeUndefined();
    expect(parseStages(" build, test ")).toEqual(["build", "test"]);
    expect(() => parseStages("build,deploy")).toThrow(/unknown stage\(s\): deploy/);
  });
});

describe("generated CI files", () => {
  test("GitHub: one job per stage, each needing the one before and running that stage", () => {
    const workflow = parse(renderProvider(example(), "github")) as {
      jobs: Record<string, { needs?: string[]; steps: { run?: string }[] }>;
    };
    expect(Object.keys(workflow.jobs)).toEqual(["check", "build", "test", "image"]);
    expect(workflow.jobs.build!.needs).toEqual(["check"]);
    expect(workflow.jobs.image!.needs).toEqual(["test"]);
    expect(workflow.jobs.test!.steps.map((s) => s.run).filter(Boolean)).toContain(
      "nixkit ci --stages test --report nixkit-test.json --junit junit.xml",
    );
  });
  test("GitLab: the same stages, jobs named nixkit-<stage>", () => {
    const pipeline = parse(renderProvider(example(), "gitlab")) as Record<string, { stage?: string; script?: string[] }> & {
      stages: string[];
    };
    expect(pipeline.stages).toEqual(["check", "build", "test", "image"]);
    expect(pipeline["nixkit-build"]!.stage).toBe("build");
    expect(pipeline["nixkit-build"]!.script!.join("\n")).toContain("nixkit ci --stages build");
  });
  test("ci.providers chooses the files; the output is stable", () => {
    expect(ciFiles(example()).map((f) => f.path)).toEqual([".github/workflows/nixkit.yml", ".gitlab-ci.yml"]);
    expect(ciFiles(example(), true, ["gitlab"]).map((f) => f.path)).toEqual([".gitlab-ci.yml"]);
    expect(ciFiles(example())).toEqual(ciFiles(example()));
  });
});

describe("GC policy", () => {
  const now = 1_000_000_000;
  const generation = (number: number, ageMs: number): Generation => ({
    kind: "builds",
    name: "app",
    number,
    links: [],
    storePaths: [],
    createdMs: now - ageMs,
  });
  test("keeps the newest `keep`, and younger ones; never the newest", () => {
    const day = durationMs("1d");
    const gens = [generation(5, 0), generation(4, 2 * day), generation(3, 3 * day), generation(2, 20 * day), generation(1, 30 * day)];
    expect(generationsToDrop(gens, 2, 14 * day, now).map((g) => g.number)).toEqual([2, 1]);
    expect(generationsToDrop(gens, 1, 0, now).map((g) => g.number)).toEqual([4, 3, 2, 1]);
    expect(generationsToDrop([generation(9, 99 * day)], 0, 0, now)).toEqual([]);
  });
  test("durations", () => {
    expect(durationMs("30m")).toBe(1_800_000);
    expect(durationMs("2w")).toBe(14 * 86_400_000);
    expect(() => durationMs("3 days")).toThrow();
  });
});

describe("test results", () => {
  const result = (name: string, status: TestResult["status"], extra: Partial<TestResult> = {}): TestResult => ({
    name,
    status,
    cached: false,
    reports: [],
    ...extra,
  });
  test("JUnit: a test's own suites are kept, a failing test without a report gets a failing case", () => {
    const own = '<testsuite name="math" tests="1"><testcase name="adds" classname="math" time="0.1"/></testsuite>';
    const xml = mergeJUnit([
      { test: "unit", status: "pass", reports: [own], logTail: "", seconds: 1 },
      { test: "lint", status: "fail", reports: [], logTail: "bad <style>", seconds: 2 },
      { test: "e2e", status: "error", reports: [], logTail: "app failed to build", seconds: 0 },
    ]);
    const doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: "",
      isArray: (n) => n === "testsuite" || n === "testcase",
    }).parse(xml);
    const suites = doc.testsuites.testsuite as {
      name: string;
      package: string;
      failures: string;
      errors: string;
      testcase: Record<string, unknown>[];
    }[];
    expect(suites.map((s) => [s.package, s.name, s.failures, s.errors])).toEqual([
      ["unit", "math", "0", "0"],
      ["lint", "lint", "1", "0"],
      ["e2e", "e2e", "0", "1"],
    ]);
    expect(xml).toContain("bad &lt;style&gt;");
    expect(mergeJUnit([{ test: "unit", status: "pass", reports: [own], logTail: "", seconds: 1 }])).toBe(
      mergeJUnit([{ test: "unit", status: "pass", reports: [own], logTail: "", seconds: 1 }]),
    );
  });
  test("summary table and tally", () => {
    const results = [
      result("unit", "pass", { cached: true, durationMs: 1500 }),
      result("lint", "fail", { durationMs: 20, differs: true }),
      result("e2e", "error", { error: "could not run: app failed to build" }),
    ];
    const table = summaryTable(results).split("\n");
    expect(table[0]).toMatch(/^TEST\s+RESULT\s+RUN\s+TIME\s+REPORTS$/);
    expect(table[1]).toMatch(/^unit\s+PASS\s+cached\s+1\.5s\s+-$/);
    expect(table[2]).toMatch(/^lint\s+FAIL\s+ran \(differs\)\s+20ms\s+-$/);
    expect(table[3]).toMatch(/^e2e\s+ERROR\s+-\s+-\s+could not run: app failed to build$/);
    expect(tally(results)).toBe("1 passed, 1 failed, 1 errored (1 ran, 1 cached)");
    expect(formatDuration(undefined)).toBe("-");
  });
});

describe("image documents", () => {
  test("config and manifest are content-addressed canonical JSON; the index names the tag", () => {
    const layer = { diffId: "sha256:" + "a".repeat(64), digest: "sha256:" + "b".repeat(64), size: 123, file: "/x" };
    const doc = imageDocuments({ config: { os: "linux", architecture: "amd64" }, layers: [layer], annotations: {}, reference: "web:1.0" });
    const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
    expect(doc.config.digest).toBe(sha(doc.config.bytes!));
    expect(doc.manifest.digest).toBe(sha(doc.manifest.bytes!));
    expect(doc.config.bytes!.toString()).toBe('{"architecture":"amd64","os":"linux"}');
    const manifest = JSON.parse(doc.manifest.bytes!.toString());
    expect(manifest).toEqual({
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: MEDIA.config, digest: doc.config.digest, size: doc.config.size },
      layers: [{ mediaType: MEDIA.layer, digest: layer.digest, size: 123 }],
    });
    expect(JSON.parse(doc.index.toString()).manifests[0].annotations).toEqual({ "org.opencontainers.image.ref.name": "1.0" });
  });
});

describe("binary cache", () => {
  test("push URL carries compression and the key as store settings", () => {
    expect(pushStoreUrl("file:///c", { compression: "zstd" })).toBe("file:///c?compression=zstd");
    expect(pushStoreUrl("https://c.example/x?priority=10", { compression: "xz", secretKey: "/k/a b.sec" })).toBe(
      "https://c.example/x?priority=10&compression=xz&secret-key=%2Fk%2Fa+b.sec",
    );
  });
  test("closure kinds", () => {
    expect(parseKinds([])).toEqual(["shell", "builds", "tests", "images"]);
    expect(parseKinds(["builds", "all"])).toEqual(["shell", "builds", "tests", "images"]);
    expect(parseKinds(["tests", "images"])).toEqual(["tests", "images"]);
    expect(parseKinds(["test"])).toBeUndefined();
  });
});

describe("nix path-info --json", () => {
  // `path-info --json --offline <greet> <missing>` as real Nix releases print it.
  const missing = "/nix/store/00000000000000000000000000000000-missing";
  test.each([
    ["2.8.0", false],
    ["2.24.15", true],
  ])("Nix %s's own output", (version, isMap) => {
    const file = sharedFile(`data/nix-outputs/${version}/path-info-validity.out`);
    if (!file) return;
    const json = JSON.parse(readFileSync(file, "utf8")) as unknown;
    const infos = pathInfos(json, isMap);
    expect(infos.map((i) => i.path)).toEqual([expect.stringMatching(/-greet$/)]);
    expect(infos[0]).toMatchObject({ narSize: 2160, narHash: expect.stringMatching(/^sha256-/) });
    expect(validFromPathInfo(json, isMap).has(missing)).toBe(false);
  });
  const info = { narHash: "sha256-x", narSize: 10, references: [] };
  test("Nix 2.8-2.18: a list, invalid paths marked valid: false", () => {
    const json = [
      { path: "/nix/store/a", ...info },
      { path: "/nix/store/b", valid: false },
    ];
    expect(pathInfos(json, false).map((i) => i.path)).toEqual(["/nix/store/a"]);
    expect(validFromPathInfo(json, false)).toEqual(new Set(["/nix/store/a"]));
  });
  test("Nix 2.19+: a map from path to info, null for invalid paths", () => {
    const json = { "/nix/store/a": info, "/nix/store/b": null };
    expect(pathInfos(json, true)).toEqual([{ path: "/nix/store/a", ...info }]);
    expect(validFromPathInfo(json, true)).toEqual(new Set(["/nix/store/a"]));
  });
});
