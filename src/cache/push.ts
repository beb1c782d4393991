// Pushes root paths (and their closures) to a binary cache, signed when a key is there.
import { existsSync } from "node:fs";
import type { NixDriver } from "../nix/driver.js";
import { userConfigPaths } from "../state/layout.js";
import type { Logger } from "../util/logger.js";
import { pushStoreUrl, type Compression } from "./store-url.js";

export interface PushRequest {
  url: string;
  roots: string[];
  projectName: string;
  keyFile?: string;
  compression?: Compression;
}

export async function pushToCache(driver: NixDriver, logger: Logger, request: PushRequest): Promise<{ signed: boolean }> {
  const keyFile = request.keyFile ?? process.env.NIXKIT_CACHE_SECRET_KEY ?? userConfigPaths().secretKey(request.projectName);
  const signed = existsSync(keyFile);
  if (!signed) {
    logger.warn(
      `no signing key at ${keyFile} (run nixkit cache keygen): pushing unsigned paths, which caches that require signatures refuse`,
    );
  }
  const storeUrl = pushStoreUrl(request.url, { compression: request.compression ?? "zstd", secretKey: signed ? keyFile : undefined });
  await driver.copyTo(storeUrl, request.roots);
  return { signed };
}
