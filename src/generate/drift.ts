// Compares the planned files with what is on disk, for `generate --check` and `doctor`.
import { readdirSync } from "node:fs";
import path from "node:path";
import { readFileIfExists } from "../util/atomic.js";
import { LIB_DIR } from "./flake.js";
import { isUntouchedGenerated } from "./header.js";
import { FLAKE_FILE, type GeneratedFile } from "./plan.js";

export type DriftKind = "missing" | "stale" | "edited" | "extra";

export interface Drift {
  path: string;
  kind: DriftKind;
  added: number;
  removed: number;
}

/** `libraryExtras`: also report vendored library files the plan no longer has (for generate's plan). */
export async function findDrift(projectDir: string, plan: GeneratedFile[], libraryExtras = true): Promise<Drift[]> {
  const drifts: Drift[] = [];
  for (const file of plan) {
    const current = await readFileIfExists(path.join(projectDir, file.path));
    if (current === undefined) {
      drifts.push({ path: file.path, kind: "missing", added: lineCount(file.content), removed: 0 });
    } else if (current !== file.content) {
      const edited = file.path === FLAKE_FILE && !isUntouchedGenerated(current);
      drifts.push({ path: file.path, kind: edited ? "edited" : "stale", ...lineChanges(current, file.content) });
    }
  }
  for (const extra of libraryExtras ? extraLibraryFiles(projectDir, plan) : []) {
    drifts.push({ path: extra, kind: "extra", added: 0, removed: 0 });
  }
  return drifts;
}

/** Files in the vendored library directory that the plan no longer contains. */
export function extraLibraryFiles(projectDir: string, plan: GeneratedFile[]): string[] {
  const planned = new Set(plan.map((f) => f.path));
  let names: string[];
  try {
    names = readdirSync(path.join(projectDir, LIB_DIR));
  } catch {
    return [];
  }
  return names.map((n) => `${LIB_DIR}/${n}`).filter((p) => !planned.has(p) && !p.split("/").at(-1)!.startsWith("."));
}

export function describeDrift(drift: Drift): string {
  const counts = drift.kind === "extra" ? "" : ` (+${drift.added} -${drift.removed} lines)`;
  const why = {
    missing: "missing",
    stale: "out of date",
    edited: "edited by hand",
    extra: "no longer generated",
  }[drift.kind];
  return `${drift.path}: ${why}${counts}`;
}

const lineCount = (text: string) => text.split("\n").length;

/** Lines added and removed, counted as a multiset difference (cheap, order-insensitive). */
function lineChanges(before: string, after: string): { added: number; removed: number } {
  const counts = new Map<string, number>();
  for (const line of before.split("\n")) counts.set(line, (counts.get(line) ?? 0) + 1);
  let added = 0;
  for (const line of after.split("\n")) {
    const n = counts.get(line) ?? 0;
    if (n > 0) counts.set(line, n - 1);
    else added++;
  }
  const removed = [...counts.values()].reduce((a, b) => a + b, 0);
  return { added, removed };
}
