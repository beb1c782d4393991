// nixkit cache keygen|push|status|pull: a signed binary cache for what this project builds.
import { generateKey } from "../cache/keys.js";
import type { Compression } from "../cache/store-url.js";
import { loadManifest } from "../manifest/load.js";
import type { Session } from "../workflows/session.js";
import { cacheReport, pullCache, pushCache, type CacheTarget } from "../workflows/cache.js";
import { prepareProject } from "../workflows/project.js";

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

export async function push(session: Session, options: CacheTarget & { keyFile?: string; compression: Compression }): Promise<void> {
  const { logger, projectDir } = session;
  const { manifest } = await loadManifest(projectDir);
  const push = { driver: session.nix(), logger, projectDir, manifest, target: options, keyFile: options.keyFile };
  const { url, roots, signed } = await pushCache({ ...push, compression: options.compression });
  if (roots.length === 0) return logger.result("nothing to push yet: run nixkit build, test, shell or image build first");
  if (logger.json) return logger.data({ pushed: roots, to: url, signed });
  logger.result(`pushed ${roots.length} root(s) and their closures to ${url}${signed ? ", signed" : ""}`);
}

export async function status(session: Session, options: CacheTarget): Promise<void> {
  const { logger, projectDir } = session;
  const { manifest } = await loadManifest(projectDir);
  const { url, closures } = await cacheReport(session.nix(), projectDir, manifest, options);
  if (logger.json) return logger.data({ cache: url, closures });
  for (const r of closures) {
    const mib = (r.missingBytes / 1048576).toFixed(2);
    logger.result(`${r.kind.padEnd(7)} ${r.paths} path(s), ${r.missing} missing from the cache (${mib} MiB)`);
  }
}

export async function pull(session: Session, options: CacheTarget & { store?: string }): Promise<void> {
  const { url, pulled } = await pullCache(await prepareProject(session), options);
  if (session.logger.json) return session.logger.data({ pulled, from: url });
  session.logger.result(`pulled ${pulled.join(", ") || "nothing"} from ${url}`);
}
