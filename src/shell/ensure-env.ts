// The full CLI's way to the dev environment (run, shell, env): the cached one, or a new one made
// by the driver's one print-dev-env call; a failure names the manifest field when it can, and
// --stale-ok falls back to the last working environment, loudly.
import type { LoadedManifest } from "../manifest/load.js";
import { manifestErrorFromNix } from "../manifest/nix-errors.js";
import { NixFailed, type NixDriver } from "../nix/driver.js";
import { nixReason } from "../nix/process.js";
import { stripAnsi } from "../nix/internal-json.js";
import type { Logger } from "../util/logger.js";
import { latestRcFile } from "./cache.js";
import { cachedRc, damagedRcWarning, makeEnv, warmFailure, type DevEnvRequest } from "./dev-env.js";

export interface EnsureEnvOptions extends DevEnvRequest {
  driver: NixDriver;
  logger: Logger;
  loaded: LoadedManifest;
  staleOk: boolean;
}

/** The environment script to source: cached, made now, or (with staleOk) the last one. */
export async function ensureRc(options: EnsureEnvOptions): Promise<string> {
  const cached = cachedRc(options);
  if (cached.state === "ok") return cached.file;
  if (cached.state === "damaged") options.logger.warn(damagedRcWarning(cached.file));
  await options.driver.detect();
  // The warm path (same process) may have tried already: its failure is not made again.
  const warm = warmFailure.take(options);
  if (!warm) options.logger.info("preparing the dev environment (nix print-dev-env)…");
  const made = warm ? { rcFile: undefined, failure: warm } : await makeEnv(options, (profile) => options.driver.printDevEnv(profile));
  if (made.rcFile) return made.rcFile;

  const nixMessage = stripAnsi(made.failure!.stderr);
  const error = (await manifestErrorFromNix(nixMessage, options.loaded.text, options.nixpkgsOverride)) ?? failure(nixMessage);
  const stale = options.staleOk ? latestRcFile(options.projectDir) : undefined;
  if (!stale) throw error;
  options.logger.warn(`THE DEV ENVIRONMENT IS STALE: it could not be rebuilt, so the last working one is used.\n  ${error.message}`);
  return stale;
}

// The failing build's last log lines, as Nix quoted them ("> …"), go with the reason.
const failure = (nixMessage: string): NixFailed => {
  const tail = nixMessage.split("\n").filter((l) => /^\s*> /.test(l));
  return new NixFailed(`nix print-dev-env failed: ${nixReason(nixMessage)}${tail.length ? `\n${tail.join("\n")}` : ""}`, nixMessage);
};
