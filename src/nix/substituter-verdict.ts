// Which configured substituters answered, recently: written by the full CLI's probe, read by the
// warm shell path (node builtins only), so neither waits on a dead one for a few minutes.
import { readFileSync } from "node:fs";
import { writeFileAtomic } from "../state/atomic.js";
import { userCachePaths } from "../state/layout.js";

const VERDICT_TTL_MS = 10 * 60 * 1000;

export interface Verdict {
  configured: string[];
  unreachable: string[];
  at: number;
}

export const substitutersArgs = (urls: string[]): string[] => ["--option", "substituters", urls.join(" ")];

/** The options that leave out dead substituters, from a recent verdict. */
export function recentSubstituterArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  try {
    const verdict = JSON.parse(readFileSync(userCachePaths(env).substituters, "utf8")) as Verdict;
    if (Date.now() - verdict.at > VERDICT_TTL_MS || verdict.unreachable.length === 0) return [];
    return substitutersArgs(verdict.configured.filter((u) => !verdict.unreachable.includes(u)));
  } catch {
    return [];
  }
}

/** Only a speed-up: a read-only or full cache directory must not fail the command. */
export async function saveVerdict(verdict: Verdict): Promise<void> {
  await writeFileAtomic(userCachePaths().substituters, JSON.stringify(verdict)).catch(() => undefined);
}
