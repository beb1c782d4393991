// What a pipeline run reports: the JSON report (schemaVersion 1) and the human summary table.
import { formatDuration, formatTable } from "../util/table.js";
import type { PlannedStage } from "./pipeline.js";
import type { JobResult, PipelineResult } from "./pipeline.js";

export interface PipelineReport {
  schemaVersion: 1;
  project: string;
  system: string;
  nix: string;
  status: PipelineResult["status"];
  durationMs: number;
  stages: { stage: string; status: string }[];
  jobs: JobResult[];
}

export function pipelineReport(
  run: { project: string; system: string; nix: string; durationMs: number },
  stages: PlannedStage[],
  result: PipelineResult,
): PipelineReport {
  return {
    schemaVersion: 1,
    ...run,
    status: result.status,
    stages: stages.map(({ stage }) => ({ stage, status: stageStatus(result.jobs.filter((j) => j.stage === stage)) })),
    jobs: result.jobs,
  };
}

export function stageStatus(jobs: JobResult[]): string {
  if (jobs.some((j) => j.status === "failed")) return "failed";
  if (jobs.length > 0 && jobs.every((j) => j.status === "skipped")) return "skipped";
  return "passed";
}

export function summaryTable(jobs: JobResult[]): string {
  const rows = [
    ["STAGE", "JOB", "STATUS", "RUN", "TIME", "DETAIL"],
    ...jobs.map((j) => [
      j.stage,
      j.name,
      j.status.toUpperCase(),
      j.status === "passed" ? (j.cached ? "cached" : "ran") : "-",
      formatDuration(j.durationMs),
      j.digest ?? j.detail ?? "",
    ]),
  ];
  return formatTable(rows);
}
