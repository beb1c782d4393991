// The manifest's binary cache for nixkit's own nix calls: used when it answers within 5 s,
// skipped with a warning when it does not, so a dead cache never stalls a build.
import type { Manifest } from "../manifest/schema.js";
import type { Logger } from "../util/logger.js";
import { probeCache } from "./store-url.js";

export async function cacheArgs(manifest: Manifest, logger: Logger): Promise<string[]> {
  const url = manifest.cache?.url;
  if (!url) return [];
  const problem = await probeCache(url);
  if (problem) {
    logger.warn(`skipping the binary cache ${url}: ${problem}`);
    return [];
  }
  const keys = manifest.cache?.publicKeys ?? [];
  return ["--option", "extra-substituters", url, ...(keys.length ? ["--option", "extra-trusted-public-keys", keys.join(" ")] : [])];
}
