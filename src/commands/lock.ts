// nixkit lock: creates or updates flake.lock.
import { prepareProject, withManifestErrors } from "../project.js";
import type { Session } from "../session.js";

export interface LockOptions {
  /** true: every input; a name: that input; undefined: lock without updating. */
  update?: true | string;
}

export async function lock(session: Session, options: LockOptions): Promise<void> {
  const loaded = await prepareProject(session);
  const inputs = options.update === true ? Object.keys(loaded.manifest.inputs) : options.update ? [options.update] : [];
  await withManifestErrors(loaded, () => session.nix().lock(inputs));
  session.logger.result("flake.lock is up to date");
}
