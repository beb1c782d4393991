// The dev environment for `nixkit shell`, `run` and `env`: the cached one, or one made now.
import { ensureRc } from "../shell/ensure-env.js";
import type { Session } from "./session.js";
import { prefetchDependencies, prepareProject, type Project } from "./project.js";

/** The project, and the environment script to source. */
export async function devEnvironment(session: Session, staleOk: boolean): Promise<{ project: Project; rcFile: string }> {
  const project = await prepareProject(session);
  await prefetchDependencies(project);
  const { dir: projectDir, driver, logger, loaded } = project;
  const rcFile = await ensureRc({ projectDir, nixpkgsOverride: loaded.nixpkgsOverride, driver, logger, loaded, staleOk });
  return { project, rcFile };
}
