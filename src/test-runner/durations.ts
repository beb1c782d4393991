// How long each test result took when it ran here, by report output path, so a cached result
// can still show its duration.
import { readFileSync } from "node:fs";
import { writeFileIfChanged } from "../state/atomic.js";
import { projectPaths } from "../state/layout.js";

const file = (projectDir: string) => projectPaths(projectDir).testDurations;

export function readDurations(projectDir: string): Record<string, number> {
  try {
    return JSON.parse(readFileSync(file(projectDir), "utf8")) as Record<string, number>;
  } catch {
    return {};
  }
}

/** Keeps the durations of the current results only, so the file does not grow forever. */
export async function writeDurations(projectDir: string, durations: Record<string, number>): Promise<void> {
  await writeFileIfChanged(file(projectDir), JSON.stringify(durations, Object.keys(durations).sort(), 2) + "\n");
}
