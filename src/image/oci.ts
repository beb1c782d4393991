// The image's config, manifest and index, and the three output forms: an OCI layout directory,
// an OCI archive, and a docker-archive that is also an OCI layout (hybrid) for `docker load`.
import { createHash } from "node:crypto";
import { createReadStream, promises as fs } from "node:fs";
import path from "node:path";
import { writeDirAtomic, writeStreamAtomic } from "../state/atomic.js";
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

export async function writeOciDirectory(doc: ImageDocuments, target: string): Promise<void> {
  if (await layoutHolds(doc, target)) return; // an unchanged image: nothing to write
  await writeDirAtomic(target, async (temp) => {
    for (const [rel, blob] of layoutFiles(doc, false)) {
      const dest = path.join(temp, rel);
      await fs.mkdir(path.dirname(dest), { recursive: true });
      if (blob.bytes) await fs.writeFile(dest, blob.bytes);
      else await linkOrCopy(blob.file!, dest);
    }
  });
}

async function layoutHolds(doc: ImageDocuments, target: string): Promise<boolean> {
  try {
    if (!(await fs.readFile(path.join(target, "index.json"))).equals(doc.index)) return false;
    for (const [rel, blob] of layoutFiles(doc, false)) if ((await fs.stat(path.join(target, rel))).size !== blob.size) return false;
    return true;
  } catch {
    return false;
  }
}

export async function writeArchive(doc: ImageDocuments, target: string, docker: boolean): Promise<void> {
  const files = [...layoutFiles(doc, docker)].sort(([a], [b]) => (a < b ? -1 : 1));
  const dirs = ["blobs", "blobs/sha256"];
  const entries: TarEntry[] = [
    ...files.filter(([rel]) => !rel.startsWith("blobs/")).map(([rel, blob]) => fileEntry(rel, blob)),
    ...dirs.map((d): TarEntry => ({ type: "dir", path: d, mode: 0o755 })),
    ...files.filter(([rel]) => rel.startsWith("blobs/")).map(([rel, blob]) => fileEntry(rel, blob)),
  ];
  await writeStreamAtomic(target, (temp) => pipeline(tarStream(entries, { mtime: 1 }), createWriteStream(temp)));
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

async function linkOrCopy(source: string, dest: string): Promise<void> {
  try {
    await fs.link(source, dest);
  } catch {
    await fs.copyFile(source, dest);
  }
}
