// `nixkit ci`: the pipeline run here, stage by stage, exactly as the generated CI jobs run it
// (they call `nixkit ci --stages <stage>`), on one prepared project: each stage calls the
// workflow its command calls and maps the results to jobs. Stops after the first failing stage
// unless keepGoing; the report and the merged JUnit are written where asked.
import type { BuilderChoice } from "../builds/builders.js";
import { planPipeline, type JobResult, type PipelineResult, type PlannedStage, type Stage } from "../ci/pipeline.js";
import { pipelineReport, type PipelineReport } from "../ci/report.js";
import { ciFilesFreshByStamp, writeCiStamp } from "../ci/fresh-stamp.js";
import { findDrift, type Drift } from "../generate/freshness.js";
import type { Manifest } from "../manifest/schema.js";
import { existsSync } from "node:fs";
import type { Session } from "./session.js";
import { projectPaths } from "../state/layout.js";
import { writeReport } from "../state/reports.js";
import { runBuilds } from "./build.js";
import { pushCache } from "./cache.js";
import { pushImageTo, writeImage } from "./image.js";
import { prepareProject, type Project } from "./project.js";
import { runTestSuite, writeMergedJUnit, type TestResult } from "./test.js";

export interface PipelineRequest {
  stages?: Stage[];
  builders: BuilderChoice;
  keepGoing: boolean;
  tlsVerify: boolean;
  reportFile?: string;
  junitFile?: string;
  emit: (event: Record<string, unknown>) => void;
}

type Outcome = Omit<JobResult, "stage" | "name" | "durationMs">;

export async function runPipelineHere(
  session: Session,
  request: PipelineRequest,
): Promise<{ report: PipelineReport; result: PipelineResult<TestResult> }> {
  // The generated files are checked by the check stage, not rewritten: CI builds what was committed.
  const project = await prepareProject(session, { regenerate: false, builders: request.builders });
  const stages = planPipeline(project.loaded.manifest, request.stages);
  const { version } = await project.driver.detect();
  const started = Date.now();
  const result = await runStages(project, stages, request);
  const report = pipelineReport(
    { project: project.loaded.manifest.name, system: project.system, nix: version.text, durationMs: Date.now() - started },
    stages,
    result,
  );
  if (request.reportFile) await writeReport(project.dir, request.reportFile, JSON.stringify(report, null, 2) + "\n");
  if (request.junitFile) await writeMergedJUnit(project, request.junitFile, result.tests);
  request.emit({ event: "pipeline", status: result.status, durationMs: report.durationMs });
  return { report, result };
}

async function runStages(project: Project, stages: PlannedStage[], request: PipelineRequest): Promise<PipelineResult<TestResult>> {
  const jobs: JobResult[] = [];
  const record = (job: JobResult) => {
    jobs.push(job);
    request.emit({ event: "job", ...job });
  };
  let tests: TestResult[] = [];
  let failed = false;
  for (const { stage, jobs: names } of stages) {
    if (failed && !request.keepGoing) {
      for (const name of names)
        record({ stage, name, status: "skipped", cached: false, durationMs: 0, storePaths: [], detail: "an earlier stage failed" });
      continue;
    }
    request.emit({ event: "stage", stage, status: "started", jobs: names });
    const started = Date.now();
    const results = await runStage(project, stage, names, request.tlsVerify);
    if (stage === "test") tests = results.tests;
    for (const result of results.jobs) record(result);
    const stageFailed = results.jobs.some((j) => j.status === "failed");
    request.emit({ event: "stage", stage, status: stageFailed ? "failed" : "passed", durationMs: Date.now() - started });
    failed ||= stageFailed;
  }
  return { status: failed ? "failed" : "passed", jobs, tests };
}

async function runStage(
  project: Project,
  stage: Stage,
  names: string[],
  tlsVerify: boolean,
): Promise<{ jobs: JobResult[]; tests: TestResult[] }> {
  switch (stage) {
    case "check":
      return {
        jobs: [
          await timed(stage, "generated-files", () => generatedFilesJob(project)),
          await timed(stage, "flake-lock", () => lockJob(project)),
        ],
        tests: [],
      };
    case "build":
      return { jobs: await buildJobs(project, names), tests: [] };
    case "test":
      return testJobs(project, names);
    case "image":
      return { jobs: await Promise.all(names.map((name) => timed(stage, name, () => imageJob(project, name)))), tests: [] };
    case "push": {
      const jobs: JobResult[] = [];
      for (const name of names) jobs.push(await timed(stage, name, () => pushJob(project, name, tlsVerify)));
      return { jobs, tests: [] };
    }
  }
}

async function timed(stage: Stage, name: string, work: () => Promise<Outcome>): Promise<JobResult> {
  const started = Date.now();
  try {
    const outcome = await work();
    return { stage, name, durationMs: Date.now() - started, ...outcome };
  } catch (error) {
    const detail = (error as Error).message.split("\n")[0];
    return { stage, name, status: "failed", cached: false, durationMs: Date.now() - started, storePaths: [], detail };
  }
}

const passed = (storePaths: string[] = [], extra: Partial<Outcome> = {}): Outcome => ({
  status: "passed",
  cached: false,
  storePaths,
  ...extra,
});
const failedWith = (detail: string): Outcome => ({ status: "failed", cached: false, storePaths: [], detail });

async function generatedFilesJob(project: Project): Promise<Outcome> {
  const { manifest } = project.loaded;
  const drifts = [...(await project.generatedDrift()), ...(await ciDrift(project.dir, manifest))];
  if (drifts.length === 0) return passed();
  return failedWith(`stale: ${drifts.map((d) => d.path).join(", ")} (run nixkit generate and nixkit ci generate, then commit)`);
}

/** The CI files' drift: none when the stamp of an earlier full comparison holds, else rendered and compared. */
async function ciDrift(projectDir: string, manifest: Manifest): Promise<Drift[]> {
  if (ciFilesFreshByStamp(projectDir, manifest)) return [];
  // The CI generator (and its YAML writer) loads only here.
  const { ciFiles } = await import("../ci/generate.js");
  const drifts = await findDrift(projectDir, ciFiles(manifest, false), false);
  if (drifts.length === 0) writeCiStamp(projectDir, manifest);
  return drifts;
}

async function lockJob(project: Project): Promise<Outcome> {
  // A missing lock fails here as it fails in CI, --nixpkgs or not.
  if (!existsSync(projectPaths(project.dir).lock)) return failedWith("flake.lock is missing (run nixkit lock and commit it)");
  if (project.loaded.nixpkgsOverride)
    return {
      ...passed(),
      status: "skipped",
      detail: "--nixpkgs overrides the locked input, so whether the lock is current is not checked",
    };
  const problem = await project.driver.lockProblem();
  return problem === undefined ? passed() : failedWith(`flake.lock is incomplete or out of date: ${problem}`);
}

async function buildJobs(project: Project, names: string[]): Promise<JobResult[]> {
  if (names.length === 0) return [];
  const started = Date.now();
  const results = await runBuilds(project, names);
  return results.map(({ name, outPath, ran, durationMs, problem }): JobResult => {
    if (outPath)
      return { stage: "build", name, status: "passed", cached: !ran, durationMs: Math.round(durationMs ?? 0), storePaths: [outPath] };
    // A build skipped because one it needs failed did not run: no time, no log of its own.
    const skipped = problem?.kind === "skipped";
    const status = skipped ? "skipped" : "failed";
    return {
      stage: "build",
      name,
      status,
      cached: false,
      durationMs: skipped ? 0 : Date.now() - started,
      storePaths: [],
      detail: problem?.detail,
    };
  });
}

async function testJobs(project: Project, names: string[]): Promise<{ jobs: JobResult[]; tests: TestResult[] }> {
  const started = Date.now();
  const tests = names.length ? await runTestSuite(project, names) : [];
  const perTest = Date.now() - started;
  const jobs = tests.map((t): JobResult => ({
    stage: "test",
    name: t.name,
    status: t.status === "pass" ? "passed" : "failed",
    cached: t.cached,
    durationMs: Math.round(t.durationMs ?? (t.cached ? 0 : perTest)),
    storePaths: t.outPath ? [t.outPath] : [],
    detail: t.status === "fail" ? `exit ${t.exitCode}` : t.error,
  }));
  return { jobs, tests };
}

async function imageJob(project: Project, name: string): Promise<Outcome> {
  const { image } = await writeImage(project, name);
  return passed(image.layerPaths.at(-1)!, { digest: image.manifest.digest });
}

async function pushJob(project: Project, name: string, tlsVerify: boolean): Promise<Outcome> {
  const { manifest } = project.loaded;
  if (name === "binary-cache") {
    const target = { kinds: ["builds", "tests", "images"] };
    const { roots, signed } = await pushCache({
      driver: project.driver,
      logger: project.logger,
      projectDir: project.dir,
      manifest,
      target,
    });
    if (roots.length === 0)
      return failedWith(
        "nothing to push: the build, test and image stages have not run here (run nixkit ci --stages build,test,image first)",
      );
    return passed(roots, { detail: signed ? "signed" : "unsigned" });
  }
  // A CI push job runs on its own machine: the image is written again (its layers come from the
  // binary cache and the layer cache, so this is cheap) before it is pushed.
  const image = name.replace(/^image-/, "");
  const destination = `${manifest.ci.registry!.replace(/\/$/, "")}/${image}:${manifest.images[image]!.tag}`;
  const digest = await pushImageTo(project, image, destination, tlsVerify);
  return passed([], { digest, detail: destination });
}
