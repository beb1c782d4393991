// Binary caches as substituters: whether one answers at all, probed once per run and only where
// a nix call can substitute from it, so a dead cache is skipped within 5 s and never waited on.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Logger } from "../util/logger.js";
import { substituterArgs } from "./args.js";

export interface BinaryCache {
  url: string;
  publicKeys: string[];
}

/** The manifest's `cache` section as a substituter, when it names a URL. */
export const binaryCacheOf = (cache: { url?: string; publicKeys?: string[] } | undefined): BinaryCache | undefined =>
  cache?.url ? { url: cache.url, publicKeys: cache.publicKeys ?? [] } : undefined;

export const PROBE_TIMEOUT_MS = 5000;

/** Undefined when the cache answers; otherwise why it does not. */
export async function probeCache(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<string | undefined> {
  const base = url.replace(/\?.*$/, "");
  if (base.startsWith("file://")) {
    const dir = fileURLToPath(base);
    return existsSync(dir) ? undefined : `${dir} does not exist`;
  }
  if (!/^https?:\/\//.test(base)) return `nixkit can push to file:// and http(s):// caches, not ${base}`;
  try {
    const response = await fetch(`${base.replace(/\/$/, "")}/nix-cache-info`, { signal: AbortSignal.timeout(timeoutMs) });
    // A new cache has no nix-cache-info yet (nix copy writes it): any HTTP answer means it is up.
    return response.status >= 500 ? `it answered HTTP ${response.status}` : undefined;
  } catch (error) {
    if ((error as Error).name === "TimeoutError") return `no answer within ${timeoutMs / 1000} s`;
    // fetch wraps the socket error; several addresses give an AggregateError of them.
    const cause = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
    const reason = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (error as Error).message;
    return `it cannot be reached (${reason})`;
  }
}

/** The options that add `cache` to a nix call: none when it does not answer (with a warning). */
export async function usableCacheArgs(cache: BinaryCache | undefined, logger: Logger): Promise<string[]> {
  if (!cache) return [];
  const problem = await probeCache(cache.url);
  if (problem) {
    logger.warn(`skipping the binary cache ${cache.url}: ${problem}`);
    return [];
  }
  return substituterArgs(cache.url, cache.publicKeys);
}
