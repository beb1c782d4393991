// The steps every command that acts on a project shares: load the manifest, keep the generated
// files fresh, give the driver the project's binary cache, and turn Nix errors that name a
// manifest field into manifest errors.
import { refuseCopiedCredentials } from "./builds/credential-files.js";
import { applyPlan } from "./generate/apply.js";
import { describeDrift } from "./generate/freshness.js";
import { generatePlan } from "./generate/plan.js";
import { loadManifest, type LoadedManifest } from "./manifest/load.js";
import { manifestErrorFromNix } from "./manifest/nix-errors.js";
import { NixFailed } from "./nix/driver.js";
import { prefetchNpmTarballs } from "./node/prefetch.js";
import { currentSystem } from "./util/system.js";
import { binaryCacheOf } from "./nix/substituters.js";
import type { Session } from "./session.js";
import { UserError } from "./util/errors.js";

/** The manifest of a prepared project, and the package set that replaces nixpkgs (--nixpkgs), if any. */
export interface ProjectManifest extends LoadedManifest {
  nixpkgsOverride?: string;
}

/**
 * What must hold before any Nix call on a cloned project: no credential in a file Nix would copy
 * into the store. (Its lockfiles are checked by the plan, before anything is written.)
 */
export const refuseUnsafeProject = (projectDir: string): void => refuseCopiedCredentials(projectDir);

/** Loads the manifest and regenerates stale files (never a hand-edited flake.nix). */
export async function prepareProject(session: Session): Promise<ProjectManifest> {
  const loaded = await loadManifest(session.projectDir);
  refuseUnsafeProject(session.projectDir);
  const drifts = await applyPlan(
    session.projectDir,
    generatePlan(loaded.manifest, loaded.text, session.projectDir),
    false,
    session.logger.warn,
  );
  if (drifts.length > 0) session.logger.info(`generated ${drifts.length} file(s) from nixkit.yaml (flake.nix, .nixkit/lib)`);
  for (const drift of drifts) session.logger.debug(`  ${describeDrift(drift)}`);
  // Probed only by the first nix call that can substitute from it.
  session.nix().useBinaryCache(binaryCacheOf(loaded.manifest.cache));
  return { ...loaded, nixpkgsOverride: session.nixpkgsOverride };
}

/** Before anything is built: the npm tarballs the node fields need, fetched in parallel (src/node/prefetch.ts). */
export async function prefetchDependencies(session: Session, loaded: ProjectManifest): Promise<void> {
  await prefetchNpmTarballs(session.nix(), session.projectDir, loaded.manifest, currentSystem(), session.logger, session.signal);
}

/** Runs a Nix step; a failure that names a manifest field becomes a manifest error (exit 2). */
export async function withManifestErrors<T>(loaded: ProjectManifest, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof NixFailed) throw (await manifestErrorFromNix(error.nixMessage, loaded.text, loaded.nixpkgsOverride)) ?? error;
    throw error;
  }
}

/** The requested names (all declared ones when none are), each checked against the manifest. */
export function selectNames(kind: "builds" | "tests" | "images", declared: string[], requested: string[]): string[] {
  if (requested.length === 0) return declared;
  const unknown = requested.filter((n) => !declared.includes(n));
  if (unknown.length > 0) {
    const names = unknown.map((n) => `"${n}"`).join(", ");
    throw new UserError(`no ${kind.slice(0, -1)} named ${names} in nixkit.yaml (${kind}: ${declared.join(", ") || "none"})`);
  }
  return requested;
}
