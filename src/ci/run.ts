// Runs the pipeline here, stage by stage, exactly as the generated CI jobs do (they call
// `nixkit ci --stages <stage>`): stops after the first failing stage unless keepGoing.
import { existsSync } from "node:fs";
import { buildAndRoot } from "../builds/run.js";
import { pushToCache } from "../cache/push.js";
import { findDrift } from "../generate/freshness.js";
import { generatePlan } from "../generate/plan.js";
import { imageFromFlake } from "../image/from-flake.js";
import { checkImageOutput, defaultImageOutput, writeImageOutput } from "../image/outputs.js";
import { pushImage } from "../image/registry.js";
import type { LoadedManifest } from "../manifest/load.js";
import type { NixDriver } from "../nix/driver.js";
import { probeCache } from "../nix/substituters.js";
import { knownRoots } from "../roots/registry.js";
import { projectPaths } from "../state/layout.js";
import type { Logger } from "../util/logger.js";
import { runTests } from "../test-runner/run.js";
import type { TestResult } from "../test-runner/results.js";
import type { PlannedStage, Stage } from "./pipeline.js";

export type JobStatus = "passed" | "failed" | "skipped";

export interface JobResult {
  stage: Stage;
  name: string;
  status: JobStatus;
  /** The result came from the store (or cache) without running. */
  cached: boolean;
  durationMs: number;
  storePaths: string[];
  digest?: string;
  detail?: string;
}

export interface PipelineOptions {
  driver: NixDriver;
  logger: Logger;
  loaded: LoadedManifest;
  projectDir: string;
  system: string;
  maxJobs: string;
  keepGoing: boolean;
  nixpkgsOverridden: boolean;
  tlsVerify: boolean;
  emit: (event: Record<string, unknown>) => void;
}

export interface PipelineResult {
  status: "passed" | "failed";
  jobs: JobResult[];
  tests: TestResult[];
}

export async function runPipeline(stages: PlannedStage[], options: PipelineOptions): Promise<PipelineResult> {
  const jobs: JobResult[] = [];
  let tests: TestResult[] = [];
  let failed = false;
  for (const { stage, jobs: names } of stages) {
    if (failed && !options.keepGoing) {
      for (const name of names)
        record(jobs, options, {
          stage,
          name,
          status: "skipped",
          cached: false,
          durationMs: 0,
          storePaths: [],
          detail: "an earlier stage failed",
        });
      continue;
    }
    options.emit({ event: "stage", stage, status: "started", jobs: names });
    const started = Date.now();
    const results = await runStage(stage, names, options);
    if (stage === "test") tests = results.tests;
    for (const result of results.jobs) record(jobs, options, result);
    const stageFailed = results.jobs.some((j) => j.status === "failed");
    options.emit({ event: "stage", stage, status: stageFailed ? "failed" : "passed", durationMs: Date.now() - started });
    failed ||= stageFailed;
  }
  return { status: failed ? "failed" : "passed", jobs, tests };
}

function record(jobs: JobResult[], options: PipelineOptions, result: JobResult): void {
  jobs.push(result);
  options.emit({ event: "job", ...result });
}

async function runStage(stage: Stage, names: string[], o: PipelineOptions): Promise<{ jobs: JobResult[]; tests: TestResult[] }> {
  const none: TestResult[] = [];
  switch (stage) {
    case "check":
      return { jobs: await checkStage(o), tests: none };
    case "build":
      return { jobs: await buildStage(names, o), tests: none };
    case "test": {
      const started = Date.now();
      const tests = names.length
        ? await runTests(o.driver, { projectDir: o.projectDir, system: o.system, names, rerun: false, maxJobs: o.maxJobs })
        : [];
      const perTest = Date.now() - started;
      return {
        tests,
        jobs: tests.map((t) => ({
          stage,
          name: t.name,
          status: t.status === "pass" ? "passed" : "failed",
          cached: t.cached,
          durationMs: Math.round(t.durationMs ?? (t.cached ? 0 : perTest)),
          storePaths: t.outPath ? [t.outPath] : [],
          detail: t.status === "fail" ? `exit ${t.exitCode}` : t.error,
        })),
      };
    }
    case "image":
      return { jobs: await Promise.all(names.map((name) => imageJob(name, o))), tests: none };
    case "push":
      return { jobs: await pushStage(names, o), tests: none };
  }
}

async function timed(
  stage: Stage,
  name: string,
  work: () => Promise<Omit<JobResult, "stage" | "name" | "durationMs">>,
): Promise<JobResult> {
  const started = Date.now();
  try {
    const outcome = await work();
    return { stage, name, durationMs: Date.now() - started, ...outcome };
  } catch (error) {
    return {
      stage,
      name,
      status: "failed",
      cached: false,
      durationMs: Date.now() - started,
      storePaths: [],
      detail: (error as Error).message.split("\n")[0],
    };
  }
}

async function checkStage(o: PipelineOptions): Promise<JobResult[]> {
  const generated = await timed("check", "generated-files", async () => {
    const { manifest, text } = o.loaded;
    // The CI generator (and its YAML writer) loads only for the check stage.
    const { ciFiles } = await import("./generate.js");
    const drifts = [
      ...(await findDrift(o.projectDir, generatePlan(manifest, text, o.projectDir))),
      ...(await findDrift(o.projectDir, ciFiles(manifest, false), false)),
    ];
    return drifts.length
      ? {
          status: "failed",
          cached: false,
          storePaths: [],
          detail: `stale: ${drifts.map((d) => d.path).join(", ")} (run nixkit generate and nixkit ci generate, then commit)`,
        }
      : { status: "passed", cached: false, storePaths: [] };
  });
  const lock = await timed("check", "flake-lock", async () => {
    // A missing lock fails here as it fails in CI, --nixpkgs or not.
    if (!existsSync(projectPaths(o.projectDir).lock))
      return { status: "failed", cached: false, storePaths: [], detail: "flake.lock is missing (run nixkit lock and commit it)" };
    if (o.nixpkgsOverridden)
      return {
        status: "skipped",
        cached: false,
        storePaths: [],
        detail: "--nixpkgs overrides the locked input, so whether the lock is current is not checked",
      };
    const problem = await o.driver.lockProblem();
    return problem === undefined
      ? { status: "passed", cached: false, storePaths: [] }
      : { status: "failed", cached: false, storePaths: [], detail: `flake.lock is incomplete or out of date: ${problem}` };
  });
  return [generated, lock];
}

async function buildStage(names: string[], o: PipelineOptions): Promise<JobResult[]> {
  if (names.length === 0) return [];
  const started = Date.now();
  const needs = Object.fromEntries(Object.entries(o.loaded.manifest.builds).map(([n, b]) => [n, b.needs]));
  const results = await buildAndRoot(o.driver, o.projectDir, o.system, names, { maxJobs: o.maxJobs, keepGoing: true, needs });
  return results.map(({ name, outPath, ran, durationMs, problem }): JobResult => {
    if (outPath)
      return { stage: "build", name, status: "passed", cached: !ran, durationMs: Math.round(durationMs ?? 0), storePaths: [outPath] };
    // A build skipped because one it needs failed did not run: no time, no log of its own.
    const skipped = problem?.kind === "skipped";
    return {
      stage: "build",
      name,
      status: skipped ? "skipped" : "failed",
      cached: false,
      durationMs: skipped ? 0 : Date.now() - started,
      storePaths: [],
      detail: problem?.detail,
    };
  });
}

/** Builds the image and writes its OCI layout where `nixkit image build` puts it; returns that directory. */
async function writeImage(name: string, o: PipelineOptions) {
  const { manifest } = o.loaded;
  const image = await imageFromFlake(
    o.driver,
    { projectDir: o.projectDir, name, spec: manifest.images[name]!, hostSystem: o.system, systems: manifest.systems },
    { warn: o.logger.warn },
  );
  const output = defaultImageOutput(manifest.name, name);
  await checkImageOutput(output);
  await writeImageOutput(image, output);
  return { image, dir: output.path };
}

function imageJob(name: string, o: PipelineOptions): Promise<JobResult> {
  return timed("image", name, async () => {
    const { image } = await writeImage(name, o);
    return { status: "passed", cached: false, storePaths: image.layerPaths.at(-1)!, digest: image.manifest.digest };
  });
}

async function pushStage(names: string[], o: PipelineOptions): Promise<JobResult[]> {
  const { manifest } = o.loaded;
  const results: JobResult[] = [];
  for (const name of names) {
    results.push(
      await timed("push", name, async () => {
        if (name === "binary-cache") {
          const problem = await probeCache(manifest.cache!.url!);
          if (problem) throw new Error(`the cache ${manifest.cache!.url} ${problem}`);
          const roots = [...knownRoots(o.projectDir, ["builds", "tests", "images"]).values()].flat();
          if (roots.length === 0)
            throw new Error(
              "nothing to push: the build, test and image stages have not run here (run nixkit ci --stages build,test,image first)",
            );
          const { signed } = await pushToCache(o.driver, o.logger, {
            url: manifest.cache!.url!,
            roots,
            projectName: manifest.name,
            publicKeys: manifest.cache!.publicKeys,
          });
          return { status: "passed", cached: false, storePaths: roots, detail: signed ? "signed" : "unsigned" };
        }
        // A CI push job runs on its own machine: write the image again (its layers come from
        // the binary cache and the layer cache, so this is cheap) before pushing it.
        const image = name.replace(/^image-/, "");
        const tag = manifest.images[image]!.tag;
        const { dir } = await writeImage(image, o);
        const destination = `${manifest.ci.registry!.replace(/\/$/, "")}/${image}:${tag}`;
        const digest = await pushImage(dir, tag, destination, o.tlsVerify);
        return { status: "passed", cached: false, storePaths: [], digest, detail: destination };
      }),
    );
  }
  return results;
}
