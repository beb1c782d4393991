// Pushes root paths (and their closures) to a binary cache, signed when a key is there: every
// path of the pushed closures ends up signed by the key, also those the cache had already.
import type { NixDriver } from "../nix/driver.js";
import type { Logger } from "../util/logger.js";
import { withSigningKey } from "./signing-key.js";
import { pushStoreUrl, type Compression } from "./store-url.js";

export interface PushRequest {
  url: string;
  roots: string[];
  projectName: string;
  keyFile?: string;
  compression?: Compression;
  /** The cache checks signatures (cache.publicKeys lists keys). */
  signatureRequired: boolean;
}

export async function pushToCache(driver: NixDriver, logger: Logger, request: PushRequest): Promise<{ signed: boolean }> {
  const keyRequest = { keyFile: request.keyFile, projectName: request.projectName, required: request.signatureRequired };
  return withSigningKey(keyRequest, logger.warn, async (keyFile) => {
    const storeUrl = pushStoreUrl(request.url, { compression: request.compression ?? "zstd", secretKey: keyFile });
    await driver.copyTo(storeUrl, request.roots);
    // nix copy skips paths the cache has: sign those too, or a pull would refuse them.
    if (keyFile) await driver.signInStore(request.url, keyFile, request.roots);
    return { signed: keyFile !== undefined };
  });
}
