// Pushes root paths (and their closures) to a binary cache, signed when a key is there: every
// path of the pushed closures ends up signed by the key, also those the cache had already. A key
// the cache's readers do not list (cache.publicKeys) is refused before anything is pushed: every
// pull would refuse what it signed.
import type { NixDriver } from "../nix/driver.js";
import { EnvError } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import { withSigningKey } from "./signing-key.js";
import { pushStoreUrl, type Compression } from "./store-url.js";

export interface PushRequest {
  url: string;
  roots: string[];
  projectName: string;
  keyFile?: string;
  compression?: Compression;
  /** cache.publicKeys: when it lists keys, the cache checks signatures and the key must be one of them. */
  publicKeys: string[];
}

export async function pushToCache(driver: NixDriver, logger: Logger, request: PushRequest): Promise<{ signed: boolean }> {
  const keyRequest = { keyFile: request.keyFile, projectName: request.projectName, required: request.publicKeys.length > 0 };
  return withSigningKey(keyRequest, logger.warn, async (key) => {
    if (key && request.publicKeys.length > 0) {
      const publicKey = await driver.publicKeyOf(key);
      if (!request.publicKeys.includes(publicKey)) {
        const listed = request.publicKeys.map((k) => k.split(":")[0]).join(", ");
        throw new EnvError(
          `the signing key "${publicKey.split(":")[0]}" is not in cache.publicKeys (${listed}): every pull would refuse what it signs; push with one of those keys, or add its public key ${publicKey} to cache.publicKeys`,
        );
      }
    }
    const storeUrl = pushStoreUrl(request.url, { compression: request.compression ?? "zstd", secretKey: key?.file });
    await driver.copyTo(storeUrl, request.roots);
    // nix copy skips paths the cache has: sign those too, or a pull would refuse them.
    if (key) await driver.signInStore(request.url, key.file, request.roots);
    return { signed: key !== undefined };
  });
}
