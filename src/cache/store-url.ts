// Binary cache URLs: where to push (with compression and the signing key as store settings),
// and whether a cache answers at all (a dead one is skipped within 5 s, never waited on).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export type Compression = "zstd" | "xz" | "none";

export function pushStoreUrl(url: string, options: { secretKey?: string; compression: Compression }): string {
  const params = new URLSearchParams();
  params.set("compression", options.compression);
  if (options.secretKey) params.set("secret-key", options.secretKey);
  return `${url}${url.includes("?") ? "&" : "?"}${params.toString()}`;
}

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
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return cause === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : `it cannot be reached (${cause})`;
  }
}
