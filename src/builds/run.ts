// Builds the manifest's builds in one nix invocation and roots them: shared by `nixkit build`
// and the CI pipeline's build stage.
import path from "node:path";
import type { NixDriver } from "../nix/driver.js";
import { derivationNames, drvName, flakeAttrs } from "../nix/flake-attrs.js";
import { rootGeneration, rootedStorePaths, withTemporaryRoots } from "../roots/registry.js";
import { readLinkIfExists } from "../state/atomic.js";
import { projectPaths } from "../state/layout.js";

export interface BuildResult {
  name: string;
  /** Undefined when this build failed or was skipped (reported only with keepGoing; otherwise the call throws). */
  outPath?: string;
  /** Without an output: "failed" (its own builder failed) or "skipped" (a build it needs failed). */
  problem?: { kind: "failed" | "skipped"; detail: string };
  outLink: string;
  /** False when Nix had the output already. */
  ran: boolean;
  durationMs?: number;
}

export interface BuildAndRootOptions {
  /** Each build's `needs`, to tell a build that failed from one skipped because of it. */
  needs?: Record<string, string[]>;
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
      { keepGoing: options.keepGoing, outLink, rooted: rootedStorePaths(projectDir) },
    );
    if (outcome.error) {
      driver.showFailedLogs(outcome);
      if (!options.keepGoing) throw outcome.error;
    }
    const failed = new Set(outcome.failed.map(drvName));
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
        const problem = outPath ? undefined : whyMissing(name, failed, options.needs ?? {});
        return { name, outPath, outLink: path.basename(link), ran: ranMs.has(drv), durationMs: ranMs.get(drv), problem };
      }),
    );
  });
}

/** A build without an output failed itself, or was skipped because a build it needs failed. */
function whyMissing(name: string, failed: Set<string>, needs: Record<string, string[]>): BuildResult["problem"] {
  if (failed.has(derivationNames.build(name))) return { kind: "failed", detail: "the build failed (its log is above)" };
  const culprits = new Set<string>();
  const visit = (build: string, seen: Set<string>) => {
    for (const need of needs[build] ?? []) {
      if (seen.has(need)) continue;
      seen.add(need);
      if (failed.has(derivationNames.build(need))) culprits.add(need);
      visit(need, seen);
    }
  };
  visit(name, new Set());
  if (culprits.size) return { kind: "skipped", detail: `needs ${[...culprits].join(", ")}, which failed` };
  return { kind: "failed", detail: "Nix could not build it (see the errors above)" };
}
