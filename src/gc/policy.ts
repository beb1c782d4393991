// Which generations a GC drops: everything beyond the `keep` newest, unless younger than
// `keepSince`; the newest generation of every root is never dropped.
import type { Generation } from "../roots/registry.js";

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function durationMs(text: string): number {
  const match = text.match(/^(\d+)([smhdw])$/);
  if (!match) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** `generations` of one root, newest first. */
export function generationsToDrop(generations: Generation[], keep: number, keepSinceMs: number, nowMs: number): Generation[] {
  return generations.filter((g, index) => index >= Math.max(1, keep) && nowMs - g.createdMs > keepSinceMs);
}
