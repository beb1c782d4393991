// Loads a project's manifest through a cache of its normalised form, keyed by the sha256 of
// nixkit.yaml's bytes and nixkit's version: an unchanged manifest costs one file read and a
// hash, and the YAML parser and the schema (≈ 90 ms to load) are imported only when it changed.
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import { writeFileIfChanged } from "../state/atomic.js";
import { MANIFEST_FILE, projectPaths, userCachePaths } from "../state/layout.js";
import { nixkitVersion } from "../util/assets.js";
import { UserError } from "../util/errors.js";
import type { Manifest } from "./schema.js";

export interface LoadedManifest {
  manifest: Manifest;
  file: string;
  /** nixkit.yaml as read: Nix errors that name a field are placed in it. */
  text: string;
}

// The cache lives outside the project, keyed by content: loading a manifest never writes into
// the project (`generate --check` writes nothing) and never changes a path: flake's source.
interface CachedManifest {
  sha256: string;
  nixkit: string;
  manifest: Manifest;
}

export async function loadManifest(projectDir: string): Promise<LoadedManifest> {
  const file = projectPaths(projectDir).manifest;
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new UserError(`${file}: no manifest here (run \`nixkit init\`, or pass -C DIR to point at the project)`);
    }
    throw new UserError(`${file}: cannot read the manifest: ${(error as Error).message}`, { cause: error });
  }
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const cacheFile = userCachePaths().manifest(sha256);
  try {
    const cached = JSON.parse(await fs.readFile(cacheFile, "utf8")) as CachedManifest;
    if (cached.sha256 === sha256 && cached.nixkit === nixkitVersion())
      return { manifest: cached.manifest, file, text: bytes.toString("utf8") };
  } catch {
    // no cache yet, or an unreadable one: parse
  }
  const { parseManifest } = await import("./parse.js");
  const { manifest, text } = parseManifest(bytes, MANIFEST_FILE);
  await writeFileIfChanged(cacheFile, JSON.stringify({ sha256, nixkit: nixkitVersion(), manifest } satisfies CachedManifest));
  return { manifest, file, text };
}
