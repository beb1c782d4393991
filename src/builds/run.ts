// Builds the manifest's builds in one nix invocation and roots them: shared by `nixkit build`
// and the CI pipeline's build stage.
import path from "node:path";
import type { NixDriver } from "../nix/driver.js";
import { derivationNames, drvName, flakeAttrs } from "../nix/flake-attrs.js";
import { rootGeneration, withTemporaryRoots } from "../roots/registry.js";
import { readLinkIfExists } from "../state/atomic.js";
import { projectPaths } from "../state/layout.js";

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
      names.map((n) => flakeAttrs.build(system, n)),
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
      const existing = await driver.existingOutPaths(flakeAttrs.builds(system), names);
      names.forEach((name, i) => existing[i] && byName.set(derivationNames.build(name), existing[i]));
    }
    return Promise.all(
      names.map(async (name) => {
        const drv = derivationNames.build(name);
        const outPath = byName.get(drv);
        const link = projectPaths(projectDir).resultLink(name);
        if (outPath) {
          await rootGeneration(driver, projectDir, "builds", name, [outPath]);
          // result-NAME: the latest build, for people; also a GC root.
          if (readLinkIfExists(link) !== outPath) await driver.addRoots([outPath], link);
        }
        return { name, outPath, outLink: path.basename(link), ran: ranMs.has(drv), durationMs: ranMs.get(drv) };
      }),
    );
  });
}
