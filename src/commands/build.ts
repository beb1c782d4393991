import path from "node:path";
import { rootGeneration, withTemporaryRoots } from "../gc/roots.js";
import { readLinkIfExists } from "../util/atomic.js";
import type { Invocation } from "../cli.js";
import { drvName } from "../nix/internal-json.js";
import { currentSystem } from "../util/system.js";
import type { CommandContext } from "./context.js";
import { prepareProject, selectNames, withManifestErrors } from "./project.js";

export async function run(ctx: CommandContext, inv: Invocation): Promise<void> {
  const loaded = await prepareProject(ctx);
  const names = selectNames("builds", Object.keys(loaded.manifest.builds), inv.args);
  if (names.length === 0) return ctx.logger.result("nothing to build: nixkit.yaml declares no builds");
  const system = currentSystem();
  const driver = ctx.driver();
  const results = await withTemporaryRoots(async (outLink) => {
    const built = await withManifestErrors(loaded, () => driver.build(names.map((n) => `packages.${system}.${n}`), { maxJobs: String(inv.options.jobs), outLink }));
    // `nix build --json` does not keep the installables' order: match by derivation name.
    const byName = new Map(built.map((b) => [drvName(b.drvPath), b.outputs.out!]));
    return Promise.all(
      names.map(async (name) => {
        const outPath = byName.get(name)!;
        await rootGeneration(driver, ctx.projectDir, "builds", name, [outPath]);
        // result-NAME: the latest build, for people; also a GC root.
        const link = path.join(ctx.projectDir, `result-${name}`);
        if (readLinkIfExists(link) !== outPath) await driver.addRoots([outPath], link);
        return { name, outPath, outLink: `result-${name}` };
      }),
    );
  });
  if (ctx.logger.json) return ctx.logger.data({ builds: results });
  for (const r of results) ctx.logger.result(`${r.name}\t${r.outPath}`);
}
