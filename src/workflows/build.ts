// Building the manifest's builds: the one path `nixkit build` and the pipeline's build stage take.
import { buildAndRoot, type BuildResult } from "../builds/run.js";
import { untrackedSources, untrackedWarnings } from "../sources/untracked.js";
import { prefetchDependencies, withManifestErrors, type Project } from "./project.js";

export type { BuildResult } from "../builds/run.js";

/** Builds `names` (every one that can be built), roots them, and reports each. */
export async function runBuilds(project: Project, names: string[]): Promise<BuildResult[]> {
  const { manifest } = project.loaded;
  for (const warning of untrackedWarnings(untrackedSources(project.dir, manifest, "builds", names))) project.logger.warn(warning);
  const needs = Object.fromEntries(Object.entries(manifest.builds).map(([n, b]) => [n, b.needs]));
  await prefetchDependencies(project);
  return withManifestErrors(project.loaded, () =>
    buildAndRoot(project.driver, project.dir, project.system, names, { keepGoing: true, needs }),
  );
}
