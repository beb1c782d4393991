// Builds the manifest's builds in one nix invocation and roots them: shared by `nixkit build`
// and the CI pipeline's build stage.
import path from "node:path";
import { rootGeneration, withTemporaryRoots } from "../gc/roots.js";
import type { NixDriver } from "../nix/driver.js";
import { drvName } from "../nix/internal-json.js";
import { readLinkIfExists } from "../util/atomic.js";

export interface BuildResult {
  name: string;
  /** Undefined when this build failed (reported only with keepGoing; otherwise the call throws). */
  outPath?: string;
  outLink: string;
  /** False when Nix had the output already. */
  ran: boolean;
  durationMs?: number;
}

export interface BuildAndRootOptions {
  maxJobs: string;
  /** Build what can be built and report the failures per build instead of throwing. */
  keepGoing?: boolean;
}

export function buildAndRoot(
  driver: NixDriver,
  projectDir: string,
  system: string,
  names: string[],
  options: BuildAndRootOptions,
): Promise<BuildResult[]> {
  return withTemporaryRoots(async (outLink) => {
    const outcome = await driver.buildAll(
      names.map((n) => `packages.${system}.${n}`),
      { maxJobs: options.maxJobs, keepGoing: options.keepGoing, outLink },
    );
    if (outcome.error) {
      driver.showFailedLogs(outcome);
      if (!options.keepGoing) throw outcome.error;
    }
    // `nix build --json` does not keep the installables' order: match by derivation name.
    const byName = new Map(outcome.built.map((b) => [drvName(b.drvPath), b.outputs.out!]));
    const ranMs = new Map(outcome.ran.map((b) => [drvName(b.drvPath), b.ms]));
    if (outcome.error) {
      const existing = await driver.existingOutPaths(`packages.${system}`, names);
      names.forEach((name, i) => existing[i] && byName.set(name, existing[i]));
    }
    return Promise.all(
      names.map(async (name) => {
        const outPath = byName.get(name);
        if (outPath) {
          await rootGeneration(driver, projectDir, "builds", name, [outPath]);
          // result-NAME: the latest build, for people; also a GC root.
          const link = path.join(projectDir, `result-${name}`);
          if (readLinkIfExists(link) !== outPath) await driver.addRoots([outPath], link);
        }
        return { name, outPath, outLink: `result-${name}`, ran: ranMs.has(name), durationMs: ranMs.get(name) };
      }),
    );
  });
}
