// Writes one layer blob: the tar stream is hashed (DiffID), gzipped with a fixed header,
// hashed again (digest) and written, all streaming with bounded memory. Blobs are cached by a
// key of their content (store paths and narHashes) and the compressor's identity, so an
// unchanged layer is never read or compressed again (checklist 16, 17).
import { createHash } from "node:crypto";
import { createWriteStream, promises as fs } from "node:fs";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip, constants } from "node:zlib";
import { withTempPath, writeFileAtomic } from "../state/atomic.js";
import { sameStamp, sha256Of, stampOf, type FileStamp } from "../state/file-stamp.js";
import { tarStream, type TarEntry } from "./tar.js";

export const WRITER_VERSION = "nixkit-layer-1";
// Fast compression (like go-containerregistry's default): layers are written often and pushed
// once; level 1 is several times faster than 6 for ~10 % larger blobs.
export const GZIP_LEVEL = 1;

/** What determines the compressed bytes besides the content: part of every cache key. */
export const COMPRESSOR = `node-zlib-${process.versions.zlib}-level-${GZIP_LEVEL}`;

export interface LayerBlob {
  /** sha256 of the uncompressed tar: what the config's rootfs.diff_ids lists. */
  diffId: string;
  /** sha256 of the gzipped blob: what the manifest lists. */
  digest: string;
  size: number;
  /** Where the blob is, in the blob cache. */
  file: string;
}

export interface LayerCache {
  dir: string;
  /** Hears about damaged entries, which are written again. */
  warn?: (message: string) => void;
  signal?: AbortSignal;
}

/** What the cache's index keeps per layer: the blob's identity and its stamp when it was written. */
interface IndexEntry {
  diffId: string;
  digest: string;
  size: number;
  stamp?: FileStamp;
  /** Ties the entry to its key: an edited entry cannot name another layer's blob. */
  check: string;
}

const entryCheck = (key: string, e: Pick<IndexEntry, "diffId" | "digest" | "size">) =>
  createHash("sha256")
    .update(JSON.stringify([key, e.diffId, e.digest, e.size]))
    .digest("hex");

const blobFile = (cache: LayerCache, digest: string) => path.join(cache.dir, "blobs", "sha256", digest.replace(/^sha256:/, ""));
const indexFile = (cache: LayerCache, key: string) => path.join(cache.dir, "layers", `${key}.json`);

export function layerKey(parts: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify({ writer: WRITER_VERSION, compressor: COMPRESSOR, parts }))
    .digest("hex");
}

/**
 * The cached blob for `key`, once it is proven intact: its stamp is the one recorded when it was
 * written, or (when the stamp moved) its bytes hash to its digest. A damaged blob is removed, with
 * a warning, and the layer is written again.
 */
export async function cachedLayer(cache: LayerCache, key: string): Promise<LayerBlob | undefined> {
  let text: string;
  try {
    text = await fs.readFile(indexFile(cache, key), "utf8");
  } catch {
    return undefined; // not cached
  }
  let entry: IndexEntry;
  try {
    entry = JSON.parse(text) as IndexEntry;
  } catch {
    entry = { diffId: "", digest: "", size: -1, check: "unreadable" };
  }
  const file = blobFile(cache, String(entry.digest));
  try {
    if (entry.check !== entryCheck(key, entry)) throw new Error("the index entry does not match its key");
    const stamp = await stampOf(file);
    if (sameStamp(entry.stamp, stamp) && stamp.size === entry.size) return { ...entry, file };
    if (stamp.size === entry.size && (await sha256Of(file, cache.signal)) === entry.digest) {
      await writeFileAtomic(indexFile(cache, key), JSON.stringify({ ...entry, stamp }));
      return { ...entry, file };
    }
  } catch (error) {
    if (cache.signal?.aborted) throw error;
    // a missing blob: written again below
  }
  cache.warn?.(`the image layer cache had a damaged entry (${file}); the layer is written again`);
  if (entry.check === entryCheck(key, entry)) await fs.rm(file, { force: true });
  await fs.rm(indexFile(cache, key), { force: true });
  return undefined;
}

/** `onContent` hears how many file-content bytes were read from the store (none for a cached layer). */
export async function writeLayer(
  cache: LayerCache,
  key: string,
  entries: Iterable<TarEntry>,
  mtime: number,
  onContent: (bytes: number) => void = () => {},
): Promise<LayerBlob> {
  const cached = await cachedLayer(cache, key);
  if (cached) return cached;
  await fs.mkdir(path.join(cache.dir, "tmp"), { recursive: true });
  return withTempPath(path.join(cache.dir, "tmp", key), async (temp) => {
    const diffHash = createHash("sha256");
    const blobHash = createHash("sha256");
    let size = 0;
    await pipeline(
      tarStream(entries, { mtime, onContent }),
      tap((chunk) => diffHash.update(chunk)),
      createGzip({ level: GZIP_LEVEL, strategy: constants.Z_DEFAULT_STRATEGY }),
      fixedGzipHeader(),
      tap((chunk) => {
        blobHash.update(chunk);
        size += chunk.length;
      }),
      createWriteStream(temp, { mode: 0o644 }),
      { signal: cache.signal },
    );
    const blob: LayerBlob = { diffId: `sha256:${diffHash.digest("hex")}`, digest: `sha256:${blobHash.digest("hex")}`, size, file: "" };
    blob.file = blobFile(cache, blob.digest);
    // Replaces a blob of the same name too: these bytes are known good, the old file may not be.
    await fs.mkdir(path.dirname(blob.file), { recursive: true });
    await fs.rename(temp, blob.file);
    const identity = { diffId: blob.diffId, digest: blob.digest, size: blob.size };
    const entry: IndexEntry = { ...identity, stamp: await stampOf(blob.file), check: entryCheck(key, identity) };
    await writeFileAtomic(indexFile(cache, key), JSON.stringify(entry));
    return blob;
  });
}

function tap(observe: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      observe(chunk);
      done(null, chunk);
    },
  });
}

// zlib stamps the host OS into byte 9 of the gzip header (3 on Linux, 19 on macOS); the same
// layer must have the same digest everywhere, so it is always 255 ("unknown"), like Go's gzip.
function fixedGzipHeader(): Transform {
  let offset = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (offset <= 9 && offset + chunk.length > 9) {
        chunk = Buffer.from(chunk);
        chunk[9 - offset] = 255;
      }
      offset += chunk.length;
      done(null, chunk);
    },
  });
}
