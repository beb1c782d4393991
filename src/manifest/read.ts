// Loads the manifest through a cache of its normalised form, keyed by the sha256 of
// nixkit.yaml's bytes and nixkit's version: an unchanged manifest costs one file read and a
// hash, and the YAML parser and the schema (≈ 90 ms to load) are imported only when it changed.
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { nixkitVersion } from "../util/assets.js";
import { writeFileIfChanged } from "../util/atomic.js";
import { UserError } from "../util/errors.js";
import type { LoadedManifest } from "./load.js";
import type { Manifest } from "./schema.js";
import { userCachePath } from "../util/user-cache.js";

const MANIFEST_FILE = "nixkit.yaml";
// Outside the project, keyed by content: reading a manifest never writes into the project
// (`generate --check` writes nothing) and never changes a path: flake's source.
const cacheFile = (sha256: string) => userCachePath("manifests", `${sha256}.json`);

interface CachedManifest {
  sha256: string;
  nixkit: string;
  manifest: Manifest;
}

export async function readManifest(projectDir: string): Promise<LoadedManifest> {
  const file = path.join(projectDir, MANIFEST_FILE);
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
  try {
    const cached = JSON.parse(await fs.readFile(cacheFile(sha256), "utf8")) as CachedManifest;
    if (cached.sha256 === sha256 && cached.nixkit === nixkitVersion())
      return { manifest: cached.manifest, file, text: bytes.toString("utf8") };
  } catch {
    // no cache yet, or an unreadable one: parse
  }
  const { parseManifest } = await import("./load.js");
  const { manifest, text } = parseManifest(bytes, MANIFEST_FILE);
  await writeFileIfChanged(cacheFile(sha256), JSON.stringify({ sha256, nixkit: nixkitVersion(), manifest } satisfies CachedManifest));
  return { manifest, file, text };
}
