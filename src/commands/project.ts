// Shared steps of the commands that act on a project: load the manifest, keep generated files
// fresh, and turn Nix errors that name a manifest field into manifest errors.
import type { LoadedManifest } from "../manifest/load.js";
import { readManifest } from "../manifest/read.js";
import { manifestErrorFromNix } from "../manifest/nix-errors.js";
import { applyPlan } from "../generate/apply.js";
import { describeDrift } from "../generate/drift.js";
import { generatePlan } from "../generate/plan.js";
import { NixFailed } from "../nix/driver.js";
import { cacheArgs } from "../cache/substituters.js";
import { UserError } from "../util/errors.js";
import { GIT_ADD_HINT, insideGitRepo } from "../util/git.js";
import type { CommandContext } from "./context.js";

/** Loads the manifest and regenerates stale files (never a hand-edited flake.nix). */
export async function prepareProject(ctx: CommandContext): Promise<LoadedManifest> {
  const loaded = await readManifest(ctx.projectDir);
  const drifts = await applyPlan(ctx.projectDir, generatePlan(loaded.manifest, loaded.text), false);
  if (drifts.length > 0) ctx.logger.info(`generated ${drifts.length} file(s) from nixkit.yaml (flake.nix, .nixkit/lib)`);
  for (const drift of drifts) ctx.logger.debug(`  ${describeDrift(drift)}`);
  if (drifts.some((d) => d.kind === "missing") && insideGitRepo(ctx.projectDir)) ctx.logger.warn(GIT_ADD_HINT);
  if (loaded.manifest.cache?.url) ctx.driver().useForBuilds(await cacheArgs(loaded.manifest, ctx.logger));
  return loaded;
}

/** Runs a Nix step; a failure that names a manifest field becomes a manifest error (exit 2). */
export async function withManifestErrors<T>(loaded: LoadedManifest, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof NixFailed) throw (await manifestErrorFromNix(error.nixMessage, loaded.text)) ?? error;
    throw error;
  }
}

export function selectNames(kind: "builds" | "tests" | "images", declared: string[], requested: string[]): string[] {
  if (requested.length === 0) return declared;
  const unknown = requested.filter((n) => !declared.includes(n));
  if (unknown.length > 0) {
    throw new UserError(
      `no ${kind.slice(0, -1)} named ${unknown.map((n) => `"${n}"`).join(", ")} in nixkit.yaml (${kind}: ${declared.join(", ") || "none"})`,
    );
  }
  return requested;
}
