// The image's config, manifest and index, and the three output forms: an OCI layout directory,
// an OCI archive, and a docker-archive that is also an OCI layout (hybrid) for `docker load`.
import { createHash } from "node:crypto";
import { constants, createReadStream, promises as fs } from "node:fs";
import path from "node:path";
import { sweepLeftovers, writeDirAtomic, writeStreamAtomic } from "../state/atomic.js";
import { sameStamp, stampOf, type FileStamp } from "../state/file-stamp.js";
import { canonicalJson } from "./json.js";
import type { LayerBlob } from "./layer-writer.js";
import { tarStream, type TarEntry } from "./tar.js";
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";

export const MEDIA = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar+gzip",
};

export interface Blob {
  digest: string;
  size: number;
  /** Bytes in memory (config, manifest) or a file (layers). */
  bytes?: Buffer;
  file?: string;
}

export interface ImageDocuments {
  config: Blob;
  manifest: Blob;
  /** index.json with the tag as ref.name (what `oci:DIR:TAG` references resolve). */
  index: Buffer;
  layers: LayerBlob[];
  reference: string;
}

const indexJson = (manifest: Blob, refName: string): Buffer =>
  Buffer.from(
    canonicalJson({
      schemaVersion: 2,
      mediaType: MEDIA.index,
      manifests: [
        {
          mediaType: MEDIA.manifest,
          digest: manifest.digest,
          size: manifest.size,
          annotations: { "org.opencontainers.image.ref.name": refName },
        },
      ],
    }),
  );

const jsonBlob = (value: unknown): Blob => {
  const bytes = Buffer.from(canonicalJson(value));
  return { bytes, size: bytes.length, digest: `sha256:${createHash("sha256").update(bytes).digest("hex")}` };
};

export function imageDocuments(options: {
  config: Record<string, unknown>;
  layers: LayerBlob[];
  annotations: Record<string, string>;
  reference: string;
}): ImageDocuments {
  const config = jsonBlob(options.config);
  const manifest = jsonBlob({
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: MEDIA.config, digest: config.digest, size: config.size },
    layers: options.layers.map((l) => ({ mediaType: MEDIA.layer, digest: l.digest, size: l.size })),
    annotations: Object.keys(options.annotations).length ? options.annotations : undefined,
  });
  return {
    config,
    manifest,
    index: indexJson(manifest, options.reference.split(":").at(-1)!),
    layers: options.layers,
    reference: options.reference,
  };
}

const blobPath = (digest: string) => `blobs/sha256/${digest.replace(/^sha256:/, "")}`;

/** The files of the OCI layout (and, for docker-archive, manifest.json), as relative path -> source. */
function layoutFiles(doc: ImageDocuments, dockerManifest: boolean): Map<string, Blob> {
  const files = new Map<string, Blob>();
  const add = (name: string, bytes: Buffer) => files.set(name, { bytes, size: bytes.length, digest: "" });
  add("oci-layout", Buffer.from(canonicalJson({ imageLayoutVersion: "1.0.0" })));
  // In a docker-archive, podman reads index.json before manifest.json and takes ref.name as the
  // image's name: there it is the whole reference, so the image loads as NAME:TAG.
  add("index.json", dockerManifest ? indexJson(doc.manifest, doc.reference) : doc.index);
  files.set(blobPath(doc.config.digest), doc.config);
  files.set(blobPath(doc.manifest.digest), doc.manifest);
  for (const layer of doc.layers) files.set(blobPath(layer.digest), { digest: layer.digest, size: layer.size, file: layer.file });
  if (dockerManifest) {
    add(
      "manifest.json",
      Buffer.from(
        canonicalJson([
          { Config: blobPath(doc.config.digest), RepoTags: [doc.reference], Layers: doc.layers.map((l) => blobPath(l.digest)) },
        ]),
      ),
    );
  }
  return files;
}

/**
 * Marks a layout as nixkit's: only such a directory may be replaced. It also records each file's
 * stamp, so an unchanged layout is recognised without reading it, and a damaged one is not.
 */
export const LAYOUT_MARKER = ".nixkit-image";

interface LayoutMarker {
  writer: "nixkit";
  stamps: Record<string, FileStamp>;
}

/** Whether `dir` is an OCI layout that nixkit wrote (and so may replace). */
export async function isNixkitLayout(dir: string): Promise<boolean> {
  return (await readMarker(dir)) !== undefined;
}

async function readMarker(dir: string): Promise<LayoutMarker | undefined> {
  try {
    const marker = JSON.parse(await fs.readFile(path.join(dir, LAYOUT_MARKER), "utf8")) as LayoutMarker;
    return marker.writer === "nixkit" && typeof marker.stamps === "object" ? marker : undefined;
  } catch {
    return undefined;
  }
}

export async function writeOciDirectory(doc: ImageDocuments, target: string, signal?: AbortSignal): Promise<void> {
  // An unchanged image: nothing to write, only what a killed writer left beside it to remove.
  if (await layoutHolds(doc, target)) return sweepLeftovers(path.dirname(target));
  await writeDirAtomic(
    target,
    async (temp) => {
      const stamps: Record<string, FileStamp> = {};
      for (const [rel, blob] of layoutFiles(doc, false)) {
        signal?.throwIfAborted();
        const dest = path.join(temp, rel);
        await fs.mkdir(path.dirname(dest), { recursive: true });
        // Copied (reflinked where the filesystem can), never hard-linked: damage to the layer
        // cache must not reach a layout written earlier.
        if (blob.bytes) await fs.writeFile(dest, blob.bytes);
        else await fs.copyFile(blob.file!, dest, constants.COPYFILE_FICLONE);
        stamps[rel] = await stampOf(dest);
      }
      await fs.writeFile(path.join(temp, LAYOUT_MARKER), JSON.stringify({ writer: "nixkit", stamps } satisfies LayoutMarker));
    },
    { replace: true, mode: 0o755, signal },
  );
}

/** The layout at `target` is this image, untouched since nixkit wrote it. */
async function layoutHolds(doc: ImageDocuments, target: string): Promise<boolean> {
  const marker = await readMarker(target);
  if (!marker) return false;
  try {
    if (!(await fs.readFile(path.join(target, "index.json"))).equals(doc.index)) return false;
    for (const [rel] of layoutFiles(doc, false)) if (!sameStamp(marker.stamps[rel], await stampOf(path.join(target, rel)))) return false;
    return true;
  } catch {
    return false;
  }
}

export async function writeArchive(doc: ImageDocuments, target: string, docker: boolean, signal?: AbortSignal): Promise<void> {
  const files = [...layoutFiles(doc, docker)].sort(([a], [b]) => (a < b ? -1 : 1));
  const dirs = ["blobs", "blobs/sha256"];
  const entries: TarEntry[] = [
    ...files.filter(([rel]) => !rel.startsWith("blobs/")).map(([rel, blob]) => fileEntry(rel, blob)),
    ...dirs.map((d): TarEntry => ({ type: "dir", path: d, mode: 0o755 })),
    ...files.filter(([rel]) => rel.startsWith("blobs/")).map(([rel, blob]) => fileEntry(rel, blob)),
  ];
  await writeStreamAtomic(target, (temp) => pipeline(tarStream(entries, { mtime: 1 }), createWriteStream(temp), { signal }));
}

function fileEntry(rel: string, blob: Blob): TarEntry {
  return {
    type: "file",
    path: rel,
    mode: 0o644,
    size: blob.size,
    content: () => (blob.bytes ? [blob.bytes] : createReadStream(blob.file!)),
  };
}
