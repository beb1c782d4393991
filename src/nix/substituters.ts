// Binary caches as substituters: whether one answers at all, probed once per run and only where
// a nix call can substitute from it, so a dead cache is skipped within 5 s and never waited on.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { saveVerdict } from "./substituter-verdict.js";
import type { Logger } from "../util/logger.js";
import { substituterArgs } from "./args.js";
export { substitutersArgs } from "./substituter-verdict.js";

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
  // fetch refuses a URL with credentials in it: they go in the Authorization header (as Nix sends them).
  const target = new URL(`${base.replace(/\/$/, "")}/nix-cache-info`);
  const headers: Record<string, string> = {};
  if (target.username || target.password) {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString("base64")}`;
    target.username = target.password = "";
  }
  try {
    const response = await fetch(target, { headers, signal: AbortSignal.timeout(timeoutMs) });
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

// Nix retries an unreachable substituter on every call (about 5 s each here, offline). nixkit
// probes the configured ones once per run and leaves the dead ones out of its own calls.
const HTTP_PROBE_TIMEOUT_MS = 2000;

/** The configured substituters that answer, or undefined when all do (nothing to change). */
export async function reachableSubstituters(configured: string[], logger: Logger): Promise<string[] | undefined> {
  const verdicts = await Promise.all(
    configured.map(async (url) => ({ url, problem: /^https?:\/\//.test(url) ? await probeCache(url, HTTP_PROBE_TIMEOUT_MS) : undefined })),
  );
  const unreachable = verdicts.filter((v) => v.problem);
  await saveVerdict({ configured, unreachable: unreachable.map((v) => v.url), at: Date.now() });
  if (unreachable.length === 0) return undefined;
  for (const { url, problem } of unreachable) {
    logger.warn(
      `the binary cache ${url} ${problem!.startsWith("it ") ? problem!.slice(3) : `cannot be reached (${problem})`}; nixkit leaves it out of its Nix calls. ` +
        "To stop plain Nix waiting for it too, set `substituters =` in nix.conf (or NIX_CONFIG) while offline",
    );
  }
  return configured.filter((url) => !unreachable.some((u) => u.url === url));
}

// The daemon's words when it drops a setting or substituter from a user it does not trust:
// "ignoring untrusted substituter '…'" (2.8; ", you are not a trusted user." added later),
// "ignoring the client-specified setting '…', because it is a restricted setting and you are not a trusted user".
export const UNTRUSTED_USER = /ignoring untrusted substituter|you are not a trusted user/;

/** The daemon-side lines that let an untrusted user use the project's cache. */
export function untrustedFix(cache: BinaryCache): string {
  const keys = cache.publicKeys.length ? ` and \`trusted-public-keys = ${cache.publicKeys.join(" ")}\`` : "";
  return `add \`trusted-substituters = ${cache.url}\`${keys} to the daemon's nix.conf (or this user to \`trusted-users\`) and restart nix-daemon`;
}

/**
 * What to tell a user whose nix-daemon does not trust them, from what the daemon said it ignored:
 * with a project cache, that the cache is unused and the daemon-side fix; otherwise its words.
 */
export function untrustedExplanation(said: string[], cache: BinaryCache | undefined): string[] {
  if (!cache?.url) return [...new Set(said)].map((text) => text.replace(/^warning: /, ""));
  return [
    `the nix-daemon does not trust this user, so it ignores the project's cache ${cache.url} and builds what it would have fetched; to use it, ${untrustedFix(cache)}`,
  ];
}
