// The CI pipeline: stages (from ci.stages) of named jobs derived from the manifest. The same
// plan drives `nixkit ci` and the generated GitHub/GitLab pipelines.
import type { Manifest } from "../manifest/schema.js";

export type Stage = "check" | "build" | "test" | "image" | "push";
export const STAGE_ORDER: Stage[] = ["check", "build", "test", "image", "push"];

export interface PlannedStage {
  stage: Stage;
  jobs: string[];
}

export function planPipeline(manifest: Manifest, only?: Stage[]): PlannedStage[] {
  const chosen = STAGE_ORDER.filter((s) => manifest.ci.stages.includes(s) && (!only || only.includes(s)));
  return chosen.map((stage) => ({ stage, jobs: jobsOf(manifest, stage) }));
}

function jobsOf(manifest: Manifest, stage: Stage): string[] {
  switch (stage) {
    case "check":
      return ["generated-files", "flake-lock"];
    case "build":
      return Object.keys(manifest.builds);
    case "test":
      return Object.keys(manifest.tests);
    case "image":
      return Object.keys(manifest.images);
    case "push":
      return [
        ...(manifest.cache?.url ? ["binary-cache"] : []),
        ...(manifest.ci.registry ? Object.keys(manifest.images).map((i) => `image-${i}`) : []),
      ];
  }
}

export function parseStages(text: string | undefined): Stage[] | undefined {
  if (text === undefined) return undefined;
  const stages = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = stages.filter((s) => !(STAGE_ORDER as string[]).includes(s));
  if (bad.length) throw new Error(`unknown stage(s): ${bad.join(", ")} (stages: ${STAGE_ORDER.join(", ")})`);
  return stages as Stage[];
}

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

export interface PipelineResult<Test = unknown> {
  status: "passed" | "failed";
  jobs: JobResult[];
  tests: Test[];
}
