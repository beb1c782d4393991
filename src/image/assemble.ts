// Assembles an image from its root's closure: store layers (planned by layers.ts), the
// customisation layer last, the config, and the manifest.
import os from "node:os";
import { customisationEntries, CA_BUNDLE, hasCaBundle } from "./customisation.js";
import { storeEntries } from "./entries.js";
import { imageDocuments, type ImageDocuments } from "./oci.js";
import { planLayers, type ClosurePath } from "./layers.js";
import { layerKey, writeLayer, type LayerBlob, type LayerCache } from "./layer-writer.js";
import type { ImageUser } from "./users.js";

export interface ImageSpec {
  entrypoint?: string[];
  cmd?: string[];
  env: Record<string, string>;
  workdir?: string;
  ports: number[];
  labels: Record<string, string>;
  maxLayers: number;
}

export interface ImageInput {
  spec: ImageSpec;
  user: ImageUser;
  /** The image root (a buildEnv of the contents) and its closure, root included. */
  root: string;
  closure: ClosurePath[];
  /** The config's OCI architecture ("amd64", "arm64") and os, from the system the root was built for. */
  platform: { architecture: string; os: string };
  reference: string;
  mtime: number;
  annotations: Record<string, string>;
}

export interface AssembledImage extends ImageDocuments {
  /** The store paths of each layer, bottom first; the last layer holds the image root. */
  layerPaths: string[][];
  /** File-content bytes read from the store: 0 when every layer came from the layer cache. */
  contentBytesRead: number;
}

export async function assembleImage(input: ImageInput, cache: LayerCache): Promise<AssembledImage> {
  const store = input.closure.filter((c) => c.path !== input.root);
  const rootInfo = input.closure.find((c) => c.path === input.root);
  const storeLayers = planLayers(store, input.spec.maxLayers - 1);
  const narHash = new Map(store.map((c) => [c.path, c.narHash]));
  let contentBytesRead = 0;
  const onContent = (bytes: number) => (contentBytesRead += bytes);

  const jobs: (() => Promise<LayerBlob>)[] = storeLayers.map(
    (layer) => () =>
      writeLayer(
        cache,
        layerKey({ mtime: input.mtime, paths: layer.paths.map((p) => [p, narHash.get(p)]) }),
        storeEntries(layer.paths),
        input.mtime,
        onContent,
      ),
  );
  jobs.push(() =>
    writeLayer(
      cache,
      layerKey({ mtime: input.mtime, root: [input.root, rootInfo?.narHash], user: input.user }),
      customisationEntries(input.root, input.user),
      input.mtime,
      onContent,
    ),
  );
  const layers = await inParallel(jobs, os.cpus().length);

  const created = new Date(input.mtime * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const env = { ...input.spec.env };
  env.PATH ??= "/bin";
  if (hasCaBundle(input.root)) env.SSL_CERT_FILE ??= `/${CA_BUNDLE}`;
  const config = {
    architecture: input.platform.architecture,
    os: input.platform.os,
    created,
    config: {
      Entrypoint: input.spec.entrypoint,
      Cmd: input.spec.cmd,
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      WorkingDir: input.spec.workdir,
      User: input.user.config || undefined,
      ExposedPorts: input.spec.ports.length ? Object.fromEntries(input.spec.ports.map((p) => [`${p}/tcp`, {}])) : undefined,
      Labels: Object.keys(input.spec.labels).length ? input.spec.labels : undefined,
    },
    rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) },
    history: [
      ...storeLayers.map((l) => ({ created, created_by: "nixkit", comment: `store paths: ${l.paths.map((p) => p.slice(44)).join(" ")}` })),
      { created, created_by: "nixkit", comment: "image root: contents, /etc/passwd, /etc/group, /tmp" },
    ],
  };
  const documents = imageDocuments({ config, layers, annotations: input.annotations, reference: input.reference });
  return { ...documents, layerPaths: [...storeLayers.map((l) => l.paths), [input.root]], contentBytesRead };
}

async function inParallel<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await jobs[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}
