// Runs tests as sandboxed check derivations in one nix invocation. (The full runner with
// reports, caching status and JUnit merge is its own issue.)
import type { Invocation } from "../cli.js";
import { drvName } from "../nix/internal-json.js";
import { NixFailed } from "../nix/driver.js";
import { WorkFailed } from "../util/errors.js";
import { currentSystem } from "../util/system.js";
import type { CommandContext } from "./context.js";
import { prepareProject, selectNames, withManifestErrors } from "./project.js";

export async function run(ctx: CommandContext, inv: Invocation): Promise<void> {
  const loaded = await prepareProject(ctx);
  const names = selectNames("tests", Object.keys(loaded.manifest.tests), inv.args);
  if (names.length === 0) return ctx.logger.result("no tests: nixkit.yaml declares none");
  const system = currentSystem();
  let failed: string[] = [];
  try {
    await withManifestErrors(loaded, () => ctx.driver().build(names.map((n) => `checks.${system}.${n}`)));
  } catch (error) {
    if (!(error instanceof NixFailed)) throw error;
    failed = [...error.nixMessage.matchAll(/builder for '([^']+\.drv)' failed/g)].map((m) => drvName(m[1]!));
    if (failed.length === 0) throw error;
  }
  const results = names.map((name) => ({ name, passed: !failed.includes(name) }));
  if (ctx.logger.json) ctx.logger.data({ tests: results });
  else for (const r of results) ctx.logger.result(`${r.passed ? "PASS" : "FAIL"}  ${r.name}`);
  if (failed.length > 0) throw new WorkFailed(`${failed.length} of ${names.length} test(s) failed`);
}
