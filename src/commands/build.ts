import path from "node:path";
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
  const built = await withManifestErrors(loaded, () => driver.build(names.map((n) => `packages.${system}.${n}`), { maxJobs: String(inv.options.jobs) }));
  // `nix build --json` does not keep the installables' order: match by derivation name.
  const byName = new Map(built.map((b) => [drvName(b.drvPath), b.outputs.out!]));
  const results = names.map((name) => ({ name, outPath: byName.get(name)!, outLink: `result-${name}` }));
  // Out-links are GC roots: `nix store gc` keeps what the last build made.
  for (const result of results) {
    const link = path.join(ctx.projectDir, result.outLink);
    if (readLinkIfExists(link) !== result.outPath) await driver.addRoots([result.outPath], link);
  }
  if (ctx.logger.json) return ctx.logger.data({ builds: results });
  for (const r of results) ctx.logger.result(`${r.name}\t${r.outPath}`);
}
