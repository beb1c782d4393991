// Fetches a Node project's npm tarballs ahead of a build, many at once, into the very store paths
// the install's fixed-output fetches name: each download is checked against the lockfile's
// integrity hash, then all are added to the store in one `nix-store --add-fixed` (content-
// addressed: the store path is the hash). Nix would fetch them itself, but one after another in
// the sandbox (≈0.1 s each before any byte moves), which makes a cold install several times
// slower than `npm ci`. Only installs not yet in the store are fetched for (after `nixkit cache
// pull`, nothing is), and a lockfile fetched for is remembered with its installs, while they last. Whatever this step misses, Nix
// still fetches and checks: a failure here is slower, never wrong.
import { createHash } from "node:crypto";
import { existsSync, promises as fs, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Manifest } from "../manifest/schema.js";
import type { NixDriver } from "../nix/driver.js";
import { flakeAttrs } from "../nix/flake-attrs.js";
import { sweepLeftovers, tempPathFor, writeFileAtomic } from "../state/atomic.js";
import { takeChecked } from "../state/checked-downloads.js";
import { projectPaths, userCachePaths } from "../state/layout.js";
import { assetPath } from "../util/assets.js";
import { readInside } from "../util/bounded-read.js";
import { sha256, sriOf } from "../util/hash.js";
import type { Logger } from "../util/logger.js";
import { redactUrls } from "../util/redact.js";
import { downloadChecked } from "./download.js";
import { readNpmrc } from "./npm-auth.js";
import { readYarnrc } from "./yarnrc.js";
import { lockedFields } from "../manifest/language-fields.js";

interface Download {
  url: string;
  name: string;
  /** SRI: sha512-…, sha256-… or sha1-… */
  hash: string;
  path: string;
  /** yarn 4's cache archive of the npm package of this name is stored, made from the tarball at `url`. */
  archive?: string;
}

interface Install {
  install: string;
  downloads: Download[];
}

const PARALLEL_DOWNLOADS = 16;

/**
 * Best effort: any failure is logged (-v) and left to the build, except an interruption. What is
 * fetched is rooted in the directory `rootsDir()` gives, which must outlast the builds that use it.
 */
export async function prefetchNpmTarballs(
  driver: NixDriver,
  projectDir: string,
  manifest: Manifest,
  system: string,
  rootsDir: () => string,
  logger: Logger,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await prefetch(driver, projectDir, manifest, system, rootsDir, logger, signal);
  } catch (error) {
    if (signal?.aborted) throw error;
    logger.debug(`fetching npm packages ahead: ${(error as Error).message} (Nix fetches them during the build)`);
  }
}

async function prefetch(
  driver: NixDriver,
  projectDir: string,
  manifest: Manifest,
  system: string,
  rootsDir: () => string,
  logger: Logger,
  signal?: AbortSignal,
) {
  const locked = lockedFields(manifest);
  const specs = locked.map((f) => f.spec);
  if (specs.length === 0) return;
  const lockfiles = [...new Set(locked.map((f) => f.lockfile))].sort();
  const key = sha256(
    JSON.stringify([system, specs, lockfiles.map((f) => sha256(readInside(projectDir, path.join(projectDir, f), "lockfile") ?? ""))]),
  );
  const stamp = projectPaths(projectDir).npmPrefetched(key);
  // The installs this lockfile gave last time: while they are all in the store, nothing is
  // missing. A garbage collection since (or a copied project) sends it round again.
  if (installsPresent(stamp)) return;

  const installs = (await driver.evalJson(flakeAttrs.npmInstalls(system))) as Install[];
  const installed = await driver.store.validPaths(installs.map((i) => i.install));
  const wanted = new Map<string, Download>();
  for (const install of installs)
    if (!installed.has(install.install))
      // (Cargo.lock's checksums reach here in hex, as Nix reads them)
      for (const d of install.downloads) wanted.set(d.path, /^[0-9a-f]{64}$/.test(d.hash) ? { ...d, hash: sriOf(d.hash) } : d);
  const present = await driver.store.validPaths([...wanted.keys()]);
  const missing = [...wanted.values()].filter((d) => !present.has(d.path));
  let failed = 0;
  if (missing.length > 0) {
    logger.info(`fetching ${missing.length} package(s)`);
    // Under nixkit's own cache, named after this process: the next run sweeps what a killed one left.
    const downloads = userCachePaths().downloads;
    await sweepLeftovers(downloads);
    const dir = tempPathFor(path.join(downloads, "npm"));
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    try {
      // Credentials as the tools read them: yarn 4's .yarnrc.yml first (where it has any), then npm's .npmrc.
      const lockDirs = [...new Set(lockfiles.map((f) => path.dirname(path.join(projectDir, f))))];
      const views = [...lockDirs.map((d) => readYarnrc(projectDir, d)), readNpmrc(projectDir, lockDirs)];
      const authorization = (url: string) => views.map((view) => view.authorization(url)).find((header) => header !== undefined);
      const fetched = await downloadAll(missing, dir, authorization, logger, signal);
      failed = missing.length - fetched.length;
      for (const algorithm of ["sha512", "sha256", "sha1"]) {
        const group = fetched.filter((f) => f.download.hash.startsWith(`${algorithm}-`));
        const added = await driver.store.addFixedFiles(
          algorithm,
          group.map((f) => f.file),
        );
        // Nothing refers to them until the install is built: rooted until nixkit exits, so a
        // concurrent GC cannot take them back (yarn 4's archives would then be made in the sandbox).
        if (added.length > 0) await driver.addRoots(added, path.join(rootsDir(), `prefetched-${algorithm}`));
        group.forEach((f, i) => {
          if (added[i] !== f.download.path) {
            failed++;
            logger.debug(`${f.download.name}: stored as ${added[i]}, not ${f.download.path}`);
          }
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (failed === 0) {
    await fs.mkdir(path.dirname(stamp), { recursive: true });
    await writeFileAtomic(stamp, JSON.stringify(installs.map((i) => i.install)) + "\n");
  }
}

function installsPresent(stamp: string): boolean {
  try {
    const installs: unknown = JSON.parse(readFileSync(stamp, "utf8"));
    return Array.isArray(installs) && installs.every((p) => typeof p === "string" && p.startsWith("/") && existsSync(p));
  } catch {
    return false;
  }
}

/** yarn 4's archive of the tarball at `tarball`, written to `file` if its bytes match `sri` (the lockfile's checksum). */
async function writeArchive(tarball: string, file: string, name: string, sri: string): Promise<void> {
  const zip = yarnZip().tarballToZip(await fs.readFile(tarball), name);
  await fs.rm(tarball);
  if (`sha512-${createHash("sha512").update(zip).digest("base64")}` !== sri)
    throw new Error(`its archive does not match yarn.lock's checksum ${sri}`);
  await fs.writeFile(file, zip, { flag: "wx" });
}

// The converter the Nix library's fixed-output fetches run (nix/lib/yarn-zip.cjs): one code for both.
let converter: { tarballToZip: (tgz: Buffer, name: string) => Buffer } | undefined;
function yarnZip() {
  const file = assetPath("nix", "lib", "yarn-zip.cjs");
  return (converter ??= createRequire(file)(file) as typeof converter)!;
}

/** Downloads each file into its own directory under `dir` (its store name as file name); the ones whose bytes match their hash. */
async function downloadAll(
  downloads: Download[],
  dir: string,
  authorization: (url: string) => string | undefined,
  logger: Logger,
  signal?: AbortSignal,
) {
  const fetched: { download: Download; file: string }[] = [];
  const silent = new Set<string>();
  const refused = new Set<string>();
  const queue = downloads.map((download, i) => ({ download, file: path.join(dir, String(i), download.name) }));
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        await fs.mkdir(path.dirname(next.file));
        const archive = next.download.archive;
        if (!archive && (await takeChecked(next.download.hash, next.file))) {
          logger.debug(`downloaded ${redactUrls(next.download.url)} (while generating)`);
          fetched.push(next);
          continue;
        }
        logger.debug(`downloading ${redactUrls(next.download.url)}`);
        await downloadChecked(next.download.url, archive ? `${next.file}.tgz` : next.file, archive ? null : next.download.hash, {
          signal,
          authorization: authorization(next.download.url),
          onSilence: (host, seconds) => {
            if (silent.has(host)) return;
            silent.add(host);
            logger.warn(
              `${host} has not answered for ${seconds} s (fetching npm packages ahead); nixkit gives up on it soon and leaves those packages to Nix`,
            );
          },
        });
        if (archive) await writeArchive(`${next.file}.tgz`, next.file, archive, next.download.hash);
        fetched.push(next);
      } catch (error) {
        if (signal?.aborted) throw error;
        const { message } = error as Error;
        const host = new URL(next.download.url).host;
        // A private registry that wants credentials: Nix's own fetch has none either.
        if (/^HTTP 40[13]$/.test(message) && !refused.has(host)) {
          refused.add(host);
          logger.warn(
            `${host} refused ${next.download.name} (${message}): it wants credentials, which npm reads from .npmrc as //${host}/:_authToken=\${TOKEN} (yarn 4 from .yarnrc.yml's npmAuthToken), with the variable set; nixkit sends them with its own downloads only, and Nix's fetch in the build has none`,
          );
        }
        logger.debug(`${next.download.name}: ${message} (Nix fetches it during the build)`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_DOWNLOADS, downloads.length) }, worker));
  return fetched;
}
