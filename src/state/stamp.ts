// Stamps and small JSON caches under nixkit's own directories: only speed-ups, so a read that
// fails is a miss and a write that fails is skipped, never an error.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { deadLeftovers, tempPathFor } from "./atomic.js";

/** Writes `content` to `file` whole (temp file, then rename), or not at all; a killed writer's temp of it goes. */
export function writeStamp(file: string, content: string): void {
  const temp = tempPathFor(file);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temp, content);
    renameSync(temp, file);
  } catch {
    rmSync(temp, { force: true });
  }
  const prefix = `.${path.basename(file)}.`;
  for (const name of deadLeftovers(path.dirname(file)))
    if (name.startsWith(prefix)) rmSync(path.join(path.dirname(file), name), { force: true });
}

/** Whether `file` holds exactly `content`. */
export function stampHolds(file: string, content: string): boolean {
  try {
    return readFileSync(file, "utf8") === content;
  } catch {
    return false;
  }
}

/** A JSON object cache file's entries; {} when it is missing or unreadable. */
export function readEntries(file: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as unknown;
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Adds or replaces entries at once, keeping at most `keep` entries (the newest). */
export function writeEntries(file: string, entries: Record<string, unknown>, keep: number): void {
  const kept = Object.entries(readEntries(file))
    .filter(([k]) => !(k in entries))
    .slice(-Math.max(0, keep - Object.keys(entries).length));
  writeStamp(file, JSON.stringify({ ...Object.fromEntries(kept), ...entries }) + "\n");
}

/** Adds or replaces one entry, keeping at most `keep` entries (the newest). */
export function writeEntry(file: string, key: string, value: unknown, keep: number): void {
  const kept = Object.entries(readEntries(file))
    .filter(([k]) => k !== key)
    .slice(-(keep - 1));
  writeStamp(file, JSON.stringify({ ...Object.fromEntries(kept), [key]: value }) + "\n");
}
