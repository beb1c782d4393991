// nixkit gc, doctor, offline-pkgs and schema: the machine and nixkit's own state.
import path from "node:path";
import { doctorChecks } from "../doctor/checks.js";
import { applyGc, planGc } from "../gc/collect.js";
import { durationMs } from "../gc/policy.js";
import { loadManifest } from "../manifest/load.js";
import { prepareOfflinePkgs } from "../offline/prepare.js";
import type { Session } from "../workflows/session.js";
import { EnvError, UserError } from "../util/errors.js";

export interface GcOptions {
  dryRun: boolean;
  keep?: string;
  keepSince?: string;
  store: boolean;
}

export async function gc(session: Session, options: GcOptions): Promise<void> {
  const { logger, projectDir } = session;
  const { manifest } = await loadManifest(projectDir);
  const keep = options.keep === undefined ? manifest.gc.keep : Number(options.keep);
  const keepSince = options.keepSince ?? manifest.gc.keepSince;
  if (!Number.isInteger(keep) || keep < 1) throw new UserError(`--keep takes a whole number of at least 1, not "${options.keep}"`);
  let keepSinceMs: number;
  try {
    keepSinceMs = durationMs(keepSince);
  } catch {
    throw new UserError(`--keep-since takes a duration like 14d, 12h or 30m, not "${keepSince}"`);
  }

  const plan = await planGc(session.nix(), projectDir, keep, keepSinceMs);
  const rows = plan.drop.map((g) => ({
    root: `${g.kind}/${g.name}`,
    generation: g.number,
    storePaths: g.storePaths,
    links: g.links.map((l) => path.relative(projectDir, l)),
  }));
  const { estimate } = plan;
  if (options.dryRun) {
    if (logger.json) return logger.data({ dryRun: true, drop: rows, estimate });
    for (const row of rows) logger.result(`would drop ${row.root} generation ${row.generation} (${row.storePaths.length} store path(s))`);
    return logger.result(
      `${rows.length} generation(s) to drop; a store GC would then free about ${mib(estimate.bytes)} in ${estimate.paths} path(s)`,
    );
  }
  const freed = await applyGc(session.nix(), plan, options.store);
  if (logger.json) return logger.data({ dryRun: false, drop: rows, estimate, store: freed ?? null });
  logger.result(`dropped ${rows.length} generation(s)${freed ? `; ${freed}` : "; run with --store to collect the store"}`);
}

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(2)} MiB`;

export async function doctor(session: Session): Promise<void> {
  const { logger } = session;
  const checks = await doctorChecks(session.nix(), session.projectDir, session.nixpkgsOverride);
  if (logger.json) logger.data({ checks });
  else
    for (const c of checks) logger.result(`${c.status.padEnd(4)}  ${c.name.padEnd(10)} ${c.detail}${c.fix ? `\n      fix: ${c.fix}` : ""}`);
  const failed = checks.filter((c) => c.status === "FAIL");
  if (failed.length > 0) throw new EnvError(`${failed.length} check(s) failed: ${failed.map((c) => c.name).join(", ")}`);
}

export async function offlinePkgs(session: Session): Promise<void> {
  const nix = session.nix();
  const store = {
    addFixed: async (dir: string) => {
      const added = await nix.store.addFixed(dir);
      // Rooted, so a garbage collection keeps what the set refers to by hash.
      await nix.addRoots([added.storePath], `${dir}.root`);
      return added;
    },
    isValid: async (storePath: string) => (await nix.store.validPaths([storePath])).has(storePath),
  };
  const ref = await prepareOfflinePkgs(store, process.env, session.logger.warn);
  if (session.logger.json) session.logger.data({ flakeRef: ref });
  else process.stdout.write(ref + "\n");
}

export async function schema(session: Session): Promise<void> {
  session.logger.data((await import("../manifest/json-schema.js")).manifestJsonSchema());
}
