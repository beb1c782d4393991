// nixkit gc: drops this project's old root generations beyond the policy (manifest gc.keep and
// gc.keepSince, or --keep/--keep-since), then with --store runs Nix's GC. The newest generation
// of every root is never dropped; --dry-run changes nothing and estimates the bytes freed.
import { promises as fs } from "node:fs";
import path from "node:path";
import type { Invocation } from "../cli.js";
import { estimateFreed } from "../gc/estimate.js";
import { durationMs, generationsToDrop } from "../gc/policy.js";
import { generationsOf, ROOT_KINDS, rootNames, type Generation } from "../gc/roots.js";
import { shellGenerations } from "../gc/shell-generations.js";
import { readManifest } from "../manifest/read.js";
import { UserError } from "../util/errors.js";
import type { CommandContext } from "./context.js";

export async function run(ctx: CommandContext, inv: Invocation): Promise<void> {
  const { manifest } = await readManifest(ctx.projectDir);
  const keep = inv.options.keep === undefined ? manifest.gc.keep : Number(inv.options.keep);
  const keepSince = inv.options.keepSince === undefined ? manifest.gc.keepSince : String(inv.options.keepSince);
  if (!Number.isInteger(keep) || keep < 1) throw new UserError(`--keep takes a whole number of at least 1, not "${inv.options.keep}"`);
  let keepSinceMs: number;
  try {
    keepSinceMs = durationMs(keepSince);
  } catch {
    throw new UserError(`--keep-since takes a duration like 14d, 12h or 30m, not "${keepSince}"`);
  }

  const roots: Generation[][] = [
    shellGenerations(ctx.projectDir),
    ...ROOT_KINDS.flatMap((kind) => rootNames(ctx.projectDir, kind).map((name) => generationsOf(ctx.projectDir, kind, name))),
  ];
  const now = Date.now();
  const drop = roots.flatMap((generations) => generationsToDrop(generations, keep, keepSinceMs, now));
  const driver = ctx.driver();
  const estimate = await estimateFreed(
    driver,
    drop.flatMap((g) => g.links),
    drop.flatMap((g) => g.storePaths),
  );

  const rows = drop.map((g) => ({
    root: `${g.kind}/${g.name}`,
    generation: g.number,
    storePaths: g.storePaths,
    links: g.links.map((l) => path.relative(ctx.projectDir, l)),
  }));
  if (inv.options.dryRun) {
    if (ctx.logger.json) return ctx.logger.data({ dryRun: true, drop: rows, estimate });
    for (const row of rows)
      ctx.logger.result(`would drop ${row.root} generation ${row.generation} (${row.storePaths.length} store path(s))`);
    return ctx.logger.result(
      `${rows.length} generation(s) to drop; a store GC would then free about ${mib(estimate.bytes)} in ${estimate.paths} path(s)`,
    );
  }
  for (const g of drop) {
    for (const link of g.links) await fs.rm(link, { force: true });
    if (g.kind !== "shell") await fs.rm(path.dirname(g.links[0] ?? ""), { recursive: true, force: true });
  }
  const freed = inv.options.store ? await driver.collectGarbage() : undefined;
  if (ctx.logger.json) return ctx.logger.data({ dryRun: false, drop: rows, estimate, store: freed ?? null });
  ctx.logger.result(`dropped ${rows.length} generation(s)${freed ? `; ${freed}` : "; run with --store to collect the store"}`);
}

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(2)} MiB`;
