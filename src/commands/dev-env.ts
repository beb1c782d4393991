// The cold path shared by run, shell and env: the cached environment, or a new one made by
// one nix call; a failure names the manifest field when it can, and --stale-ok falls back loudly.
import type { LoadedManifest } from "../manifest/load.js";
import { manifestErrorFromNix } from "../manifest/nix-errors.js";
import { NixFailed } from "../nix/driver.js";
import { stripAnsi } from "../nix/internal-json.js";
import { cachedRc, latestRc, makeEnv } from "../shell/dev-env.js";
import type { CommandContext } from "./context.js";

export async function ensureRc(ctx: CommandContext, loaded: LoadedManifest, staleOk: boolean): Promise<string> {
  const request = { projectDir: ctx.projectDir, nixpkgsOverride: ctx.nixpkgsOverride, signal: ctx.signal };
  const cached = cachedRc(request);
  if (cached.rcFile) return cached.rcFile;
  await ctx.driver().detect();
  ctx.logger.info("preparing the dev environment (nix print-dev-env)…");
  const made = await makeEnv(request);
  if (made.rcFile) return made.rcFile;

  const nixMessage = stripAnsi(made.failure!.stderr);
  const error = (await manifestErrorFromNix(nixMessage, loaded.text)) ?? failure(nixMessage);
  const stale = staleOk ? latestRc(ctx.projectDir) : undefined;
  if (!stale) throw error;
  ctx.logger.warn(`THE DEV ENVIRONMENT IS STALE: it could not be rebuilt, so the last working one is used.\n  ${error.message}`);
  return stale;
}

function failure(nixMessage: string): NixFailed {
  const firstError = nixMessage.split("\n").find((l) => l.startsWith("error:")) ?? nixMessage.trim().split("\n").at(-1) ?? "";
  return new NixFailed(`nix print-dev-env failed: ${firstError.replace(/^error: /, "")}`, nixMessage);
}
