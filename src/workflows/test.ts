// Running the manifest's tests in the sandbox: the one path `nixkit test` and the pipeline's test
// stage take, and the merged JUnit report both write.
import { writeReport } from "../state/reports.js";
import type { TestResult } from "../test-runner/results.js";
import { runTests } from "../test-runner/run.js";
import { untrackedSources, untrackedWarnings } from "../sources/untracked.js";
import { prefetchDependencies, withManifestErrors, type Project } from "./project.js";

export type { TestResult } from "../test-runner/results.js";

export async function runTestSuite(project: Project, names: string[], rerun = false): Promise<TestResult[]> {
  const { manifest } = project.loaded;
  for (const warning of untrackedWarnings(untrackedSources(project.dir, manifest, "tests", names))) project.logger.warn(warning);
  await prefetchDependencies(project);
  return withManifestErrors(project.loaded, () =>
    runTests(project.driver, { projectDir: project.dir, system: project.system, names, rerun }),
  );
}

/** One JUnit file of every test's cases (src/test-runner/junit.ts), written atomically inside or beside the project. */
export async function writeMergedJUnit(project: Project, file: string, results: TestResult[]): Promise<void> {
  const { junitSource, mergeJUnit } = await import("../test-runner/junit.js");
  await writeReport(project.dir, file, mergeJUnit(results.map((r) => junitSource(r, project.logger.warn))));
}
