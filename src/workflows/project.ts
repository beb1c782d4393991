// What every workflow does before any Nix work, in one order: load the manifest, refuse files Nix
// must not copy, read the plan's inputs once and regenerate stale files, select the names asked
// for, choose the remote builders, make the run's driver (cache, builders and -j fixed for the
// run). Workflows that build fetch the npm tarballs first (once per project). Nix errors that name
// a manifest field become manifest errors.
import { lockedFields } from "../manifest/language-fields.js";
import { chooseBuilders, type BuilderChoice } from "../builds/builders.js";
import { applyPlan } from "../generate/apply.js";
import { freshByStamp, writeFreshStamp } from "../generate/fresh-stamp.js";
import { describeDrift, findDrift, type Drift } from "../generate/freshness.js";
import { generatePlan, readPlanInputs } from "../generate/plan.js";
import { loadManifest, type LoadedManifest } from "../manifest/load.js";
import { manifestErrorFromNix } from "../manifest/nix-errors.js";
import { NixFailed, type NixDriver } from "../nix/driver.js";
import { binaryCacheOf } from "../nix/substituters.js";
import { prefetchNpmTarballs } from "../node/prefetch.js";
import { processTemporaryRoots } from "../roots/registry.js";
import type { Session } from "./session.js";
import { refuseCopiedCredentials } from "../sources/credential-files.js";
import { UserError } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import { currentSystem } from "../util/system.js";

/** The manifest of a prepared project, and the package set that replaces nixpkgs (--nixpkgs), if any. */
export interface ProjectManifest extends LoadedManifest {
  nixpkgsOverride?: string;
}

export type NameKind = "builds" | "tests" | "images";

/** A project ready for Nix work. */
export interface Project {
  dir: string;
  workDir: string;
  system: string;
  logger: Logger;
  signal: AbortSignal;
  loaded: ProjectManifest;
  /** How the generated files differ from what the manifest makes (nothing, once regenerated). */
  generatedDrift(): Promise<Drift[]>;
  /** The names asked for (all declared ones when none were), when the workflow selects some. */
  names: string[];
  /** The run's driver: the project's binary cache, the builders that answer and -j, fixed. */
  driver: NixDriver;
}

export interface PrepareOptions {
  /** Write stale generated files (never a hand-edited flake.nix); false: leave them for a check to report. */
  regenerate?: boolean;
  /** The builds, tests or images asked for; nothing is probed or fetched when that selects none. */
  select?: { kind: NameKind; names: string[] };
  /** Remote builders and -j; absent: this machine, with Nix's default jobs. */
  builders?: BuilderChoice;
}

export async function prepareProject(session: Session, options: PrepareOptions = {}): Promise<Project> {
  const { projectDir, logger } = session;
  const manifestFile = await loadManifest(projectDir);
  const loaded: ProjectManifest = { ...manifestFile, nixpkgsOverride: session.nixpkgsOverride };
  refuseCopiedCredentials(projectDir);
  // The stamp of the last generate says the files are what the plan makes (manifests without node
  // fields); otherwise the plan is made, and a refused lockfile is a manifest error here, before
  // anything is written or asked of Nix.
  const fresh = freshByStamp(projectDir);
  const plan = fresh ? [] : generatePlan(loaded.manifest, loaded.text, await readPlanInputs(loaded.manifest, loaded.text, projectDir));
  const regenerate = options.regenerate ?? true;
  if (regenerate && !fresh) {
    const drifts = await applyPlan(projectDir, plan, false, logger.warn);
    if (drifts.length > 0) logger.info(`generated ${drifts.length} file(s) from nixkit.yaml (flake.nix, .nixkit/lib)`);
    for (const drift of drifts) logger.debug(`  ${describeDrift(drift)}`);
    if (lockedFields(loaded.manifest).length === 0) writeFreshStamp(projectDir);
  }
  const { select } = options;
  const names = select ? selectNames(select.kind, Object.keys(loaded.manifest[select.kind]), select.names) : [];
  const idle = select !== undefined && names.length === 0;
  // A builder that is down stops the run before anything is downloaded.
  const builders =
    options.builders && !idle ? await chooseBuilders(session.nix(), logger, projectDir, loaded.manifest.ci.builders, options.builders) : {};
  const driver = session.nix().configured({ binaryCache: binaryCacheOf(loaded.manifest.cache), ...builders });
  return {
    dir: projectDir,
    workDir: session.workDir,
    system: currentSystem(),
    logger,
    signal: session.signal,
    loaded,
    generatedDrift: async () => (fresh || regenerate ? [] : findDrift(projectDir, plan)),
    names,
    driver,
  };
}

const prefetched = new WeakMap<Project, Promise<void>>();

/** The npm tarballs the node fields need, fetched in parallel before anything is built (src/node/prefetch.ts); once per project. */
export function prefetchDependencies(project: Project): Promise<void> {
  let done = prefetched.get(project);
  if (!done) {
    const { driver, dir, loaded, system, logger, signal } = project;
    done = prefetchNpmTarballs(driver, dir, loaded.manifest, system, processTemporaryRoots, logger, signal);
    prefetched.set(project, done);
  }
  return done;
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
export function selectNames(kind: NameKind, declared: string[], requested: string[]): string[] {
  if (requested.length === 0) return declared;
  const unknown = requested.filter((n) => !declared.includes(n));
  if (unknown.length > 0) {
    const names = unknown.map((n) => `"${n}"`).join(", ");
    throw new UserError(`no ${kind.slice(0, -1)} named ${names} in nixkit.yaml (${kind}: ${declared.join(", ") || "none"})`);
  }
  return requested;
}
