// The binary cache: push, status and pull, for `nixkit cache` and the pipeline's push stage.
import { fileURLToPath } from "node:url";
import { pullFromCache, pullRefusal } from "../cache/pull.js";
import { stripAnsi } from "../nix/internal-json.js";
import { pushToCache } from "../cache/push.js";
import { cacheStatus, type ClosureStatus } from "../cache/status.js";
import type { Compression } from "../cache/store-url.js";
import type { Manifest } from "../manifest/schema.js";
import type { NixDriver } from "../nix/driver.js";
import { probeCache } from "../nix/substituters.js";
import { knownRoots, parseKinds, type ClosureKind } from "../roots/registry.js";
import { makeEnv } from "../shell/dev-env.js";
import { makeDirs } from "../state/atomic.js";
import { EnvError, UserError } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import { withManifestErrors, type Project } from "./project.js";

export interface CacheTarget {
  kinds: string[];
  /** --to or --from: the cache; cache.url by default. */
  url?: string;
}

/** The cache URL and closure kinds, once the cache answers (exit 3 when it does not). */
async function reachableCache(driver: NixDriver, manifest: Manifest, target: CacheTarget): Promise<{ url: string; kinds: ClosureKind[] }> {
  const url = target.url ?? manifest.cache?.url;
  if (!url) throw new UserError("no cache URL: set cache.url in nixkit.yaml or pass --to/--from URL");
  const kinds = parseKinds(target.kinds);
  if (!kinds) throw new UserError(`choose from shell, builds, tests, images or all, not "${target.kinds.join(" ")}"`);
  const unreachable = await probeCache(url);
  if (unreachable) throw new EnvError(`the binary cache ${url} cannot be used: ${unreachable}`);
  await driver.detect();
  return { url, kinds };
}

export interface CachePush {
  driver: NixDriver;
  logger: Logger;
  projectDir: string;
  manifest: Manifest;
  target: CacheTarget;
  keyFile?: string;
  compression?: Compression;
}

/** Pushes the roots of the chosen closures; `roots` empty when nothing has been built yet. */
export async function pushCache(push: CachePush): Promise<{ url: string; roots: string[]; signed: boolean }> {
  const { driver, logger, manifest, target } = push;
  // Like `nix copy --to file://…`, a push makes a new local cache directory.
  const wanted = target.url ?? manifest.cache?.url;
  if (wanted?.startsWith("file://")) makeDirs(fileURLToPath(wanted.replace(/\?.*$/, "")));
  const { url, kinds } = await reachableCache(driver, manifest, target);
  const roots = [...knownRoots(push.projectDir, kinds).values()].flat();
  if (roots.length === 0) return { url, roots, signed: false };
  const request = {
    url,
    roots,
    projectName: manifest.name,
    keyFile: push.keyFile,
    compression: push.compression,
    publicKeys: manifest.cache?.publicKeys ?? [],
  };
  const { signed } = await pushToCache(driver, logger, request);
  return { url, roots, signed };
}

export async function cacheReport(
  driver: NixDriver,
  projectDir: string,
  manifest: Manifest,
  target: CacheTarget,
): Promise<{ url: string; closures: ClosureStatus[] }> {
  const { url, kinds } = await reachableCache(driver, manifest, target);
  return { url, closures: await cacheStatus(driver, projectDir, url, kinds) };
}

/** Fetches the project's outputs from the cache alone (building nothing), then the dev environment; what was pulled. */
export async function pullCache(project: Project, target: CacheTarget & { store?: string }): Promise<{ url: string; pulled: string[] }> {
  const { manifest, nixpkgsOverride } = project.loaded;
  const { url, kinds } = await reachableCache(project.driver, manifest, target);
  const cache = { url, publicKeys: manifest.cache?.publicKeys ?? [] };
  const request = { manifest, projectDir: project.dir, nixpkgsOverride, system: project.system, kinds, cache, store: target.store };
  const pulled = await withManifestErrors(project.loaded, () => pullFromCache(project.driver, request));
  if (kinds.includes("shell") && !target.store) {
    const made = await makeEnv(request, (profile) => project.driver.printDevEnv(profile, cache));
    if (!made.rcFile) throw pullRefusal(cache, stripAnsi(made.failure!.stderr));
    pulled.push("the dev environment");
  }
  return { url, pulled };
}
