// Writes the generated files, refusing to overwrite a hand-edited flake.nix without --force.
import { constants, promises as fs } from "node:fs";
import path from "node:path";
import { writeFilesAtomic } from "../state/atomic.js";
import { userCachePaths } from "../state/layout.js";
import { withLock } from "../state/lock.js";
import { sha256 } from "../util/hash.js";
import { UserError } from "../util/errors.js";
import { GIT_ADD_HINT, knownToGit, registerWithGit } from "../util/git.js";
import { findDrift, type Drift, type GeneratedFile } from "./freshness.js";
import { ignoreGeneratedState } from "./gitignore.js";

/**
 * Writes what drifted and returns it. New files are registered with git (intent to add), since
 * Nix sees only files git knows; `warn` hears when that could not be done.
 */
export async function applyPlan(
  projectDir: string,
  plan: GeneratedFile[],
  force: boolean,
  warn: (message: string) => void = () => {},
): Promise<Drift[]> {
  // Two nixkits generating one project take turns, the second finding the files fresh: its temp
  // files would otherwise appear and vanish in a directory the first one's Nix is copying. The
  // lock lives outside the project for the same reason.
  const locks = path.join(userCachePaths().root, "locks");
  const now = () => applyPlanNow(projectDir, plan, force, warn);
  // (a read-only cache: written without taking turns)
  const writable = await fs
    .mkdir(locks, { recursive: true })
    .then(() => fs.access(locks, constants.W_OK))
    .then(
      () => true,
      () => false,
    );
  if (!writable) return now();
  return withLock(path.join(locks, `generate-${sha256(path.resolve(projectDir)).slice(0, 16)}`), now);
}

async function applyPlanNow(projectDir: string, plan: GeneratedFile[], force: boolean, warn: (message: string) => void): Promise<Drift[]> {
  const drifts = await findDrift(projectDir, plan);
  const edited = drifts.find((d) => d.kind === "edited");
  if (edited && !force) {
    throw new UserError(
      `${edited.path} was not written by nixkit or was edited by hand; nixkit will not overwrite it ` +
        "(move the change into nixkit.yaml, or pass --force to replace the file)",
    );
  }
  const byPath = new Map(plan.map((f) => [f.path, f]));
  const writes = drifts
    .filter((d) => d.kind !== "extra" && d.kind !== "leftover")
    .map((d) => ({ path: path.join(projectDir, d.path), content: byPath.get(d.path)!.content }));
  // Also when nothing drifted: generated files an ignore rule hid from git (so from Nix) come back.
  const unignored = await ignoreGeneratedState(projectDir);
  await writeFilesAtomic(writes);
  const added = drifts.filter((d) => d.kind === "missing").map((d) => d.path);
  const known =
    unignored.length > 0
      ? knownToGit(
          projectDir,
          plan.map((f) => f.path),
        )
      : undefined;
  const hidden = known ? plan.map((f) => f.path).filter((f) => !added.includes(f) && !known.has(f)) : [];
  if (!registerWithGit(projectDir, [...added, ...hidden])) warn(GIT_ADD_HINT);
  for (const extra of drifts.filter((d) => d.kind === "extra" || d.kind === "leftover")) {
    await fs.rm(path.join(projectDir, extra.path), { force: true });
  }
  return drifts;
}
