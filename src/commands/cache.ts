// nixkit cache keygen|push|status|pull: a signed binary cache for what this project builds.
import { generateKey } from "../cache/keys.js";
import { pullFromCache } from "../cache/pull.js";
import { pushToCache } from "../cache/push.js";
import { cacheStatus } from "../cache/status.js";
import type { Compression } from "../cache/store-url.js";
import { loadManifest, type LoadedManifest } from "../manifest/load.js";
import { probeCache } from "../nix/substituters.js";
import { prepareProject, withManifestErrors } from "../project.js";
import { knownRoots, parseKinds } from "../roots/registry.js";
import type { Session } from "../session.js";
import { fileURLToPath } from "node:url";
import { makeDirs } from "../state/atomic.js";
import { EnvError, UserError } from "../util/errors.js";
import { currentSystem } from "../util/system.js";

export async function keygen(session: Session, options: { name?: string; force: boolean }): Promise<void> {
  const { logger } = session;
  const name = options.name ?? (await loadManifest(session.projectDir)).manifest.name;
  const { publicKey, secretFile, existing } = await generateKey(session.nix(), name, options.force);
  if (logger.json) return logger.data({ publicKey, secretKeyFile: secretFile, existing });
  if (existing)
    logger.info(`a key named ${name} exists already (${secretFile}); its public key is below. To replace it: nixkit cache keygen --force`);
  else logger.info(`secret key: ${secretFile} (mode 0600; keep it out of the repository)`);
  logger.info("add the public key to nixkit.yaml under cache.publicKeys:");
  logger.result(publicKey);
}

export interface CacheTarget {
  kinds: string[];
  /** --to or --from: the cache; cache.url by default. */
  url?: string;
}

/** The cache URL and closure kinds, once the cache answers (exit 3 when it does not). */
async function reachableCache(session: Session, loaded: LoadedManifest, target: CacheTarget) {
  const url = target.url ?? loaded.manifest.cache?.url;
  if (!url) throw new UserError("no cache URL: set cache.url in nixkit.yaml or pass --to/--from URL");
  const kinds = parseKinds(target.kinds);
  if (!kinds) throw new UserError(`choose from shell, builds, tests, images or all, not "${target.kinds.join(" ")}"`);
  const unreachable = await probeCache(url);
  if (unreachable) throw new EnvError(`the binary cache ${url} cannot be used: ${unreachable}`);
  await session.nix().detect();
  return { url, kinds };
}

export async function push(session: Session, options: CacheTarget & { keyFile?: string; compression: Compression }): Promise<void> {
  const { logger } = session;
  const loaded = await loadManifest(session.projectDir);
  // Like `nix copy --to file://…`, a push makes a new local cache directory.
  const target = options.url ?? loaded.manifest.cache?.url;
  if (target?.startsWith("file://")) makeDirs(fileURLToPath(target.replace(/\?.*$/, "")));
  const { url, kinds } = await reachableCache(session, loaded, options);
  const roots = [...knownRoots(session.projectDir, kinds).values()].flat();
  if (roots.length === 0) return logger.result("nothing to push yet: run nixkit build, test, shell or image build first");
  const request = {
    url,
    roots,
    projectName: loaded.manifest.name,
    keyFile: options.keyFile,
    compression: options.compression,
    publicKeys: loaded.manifest.cache?.publicKeys ?? [],
  };
  const { signed } = await pushToCache(session.nix(), logger, request);
  if (logger.json) return logger.data({ pushed: roots, to: url, signed });
  logger.result(`pushed ${roots.length} root(s) and their closures to ${url}${signed ? ", signed" : ""}`);
}

export async function status(session: Session, options: CacheTarget): Promise<void> {
  const { logger } = session;
  const loaded = await loadManifest(session.projectDir);
  const { url, kinds } = await reachableCache(session, loaded, options);
  const report = await cacheStatus(session.nix(), session.projectDir, url, kinds);
  if (logger.json) return logger.data({ cache: url, closures: report });
  for (const r of report) {
    const mib = (r.missingBytes / 1048576).toFixed(2);
    logger.result(`${r.kind.padEnd(7)} ${r.paths} path(s), ${r.missing} missing from the cache (${mib} MiB)`);
  }
}

export async function pull(session: Session, options: CacheTarget & { store?: string }): Promise<void> {
  const loaded = await prepareProject(session);
  const { url, kinds } = await reachableCache(session, loaded, options);
  const cache = { url, publicKeys: loaded.manifest.cache?.publicKeys ?? [] };
  const request = { ...session, manifest: loaded.manifest, system: currentSystem(), kinds, cache, store: options.store };
  const pulled = await withManifestErrors(loaded, () => pullFromCache(session.nix(), request));
  if (session.logger.json) return session.logger.data({ pulled, from: url });
  session.logger.result(`pulled ${pulled.join(", ") || "nothing"} from ${url}`);
}
