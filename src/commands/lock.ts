// nixkit lock: creates or updates flake.lock.
import type { Session } from "../workflows/session.js";
import { prepareProject, withManifestErrors } from "../workflows/project.js";

export interface LockOptions {
  /** true: every input; a name: that input; undefined: lock without updating. */
  update?: true | string;
}

export async function lock(session: Session, options: LockOptions): Promise<void> {
  const project = await prepareProject(session);
  const { manifest } = project.loaded;
  const inputs = options.update === true ? Object.keys(manifest.inputs) : options.update ? [options.update] : [];
  await withManifestErrors(project.loaded, () => project.driver.lock(inputs));
  session.logger.result("flake.lock is up to date");
}
