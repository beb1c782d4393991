// Pushes root paths (and their closures) to a binary cache, signed when a key is there.
import { existsSync } from "node:fs";
import { COMMON_ARGS } from "../nix/args.js";
import type { NixDriver } from "../nix/driver.js";
import { WorkFailed } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import { secretKeyFile } from "./keys.js";
import { pushStoreUrl, type Compression } from "./store-url.js";

export async function pushToCache(
  driver: NixDriver,
  logger: Logger,
  options: { url: string; roots: string[]; projectName: string; keyFile?: string; compression?: Compression },
): Promise<{ signed: boolean }> {
  const keyFile = options.keyFile ?? process.env.NIXKIT_CACHE_SECRET_KEY ?? secretKeyFile(options.projectName);
  const signed = existsSync(keyFile);
  if (!signed)
    logger.warn(
      `no signing key at ${keyFile} (run nixkit cache keygen): pushing unsigned paths, which caches that require signatures refuse`,
    );
  const storeUrl = pushStoreUrl(options.url, { compression: options.compression ?? "zstd", secretKey: signed ? keyFile : undefined });
  const result = await driver.capture([...COMMON_ARGS, "copy", "--to", storeUrl, ...options.roots]);
  if (result.exitCode !== 0) throw new WorkFailed(`nix copy to ${options.url} failed: ${result.stderr.trim().split("\n").at(-1)}`);
  return { signed };
}
