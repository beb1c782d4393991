// Loads a project's manifest through a cache of its normalised form, keyed by the sha256 of
// nixkit.yaml's bytes and nixkit's version: an unchanged manifest costs one file read and a
// hash, and the YAML parser and the schema (≈ 90 ms to load) are imported only when it changed.
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import { writeFileIfChanged } from "../state/atomic.js";
import { MANIFEST_FILE, projectPaths, userCachePaths } from "../state/layout.js";
import { nixkitBuildId, nixkitVersion } from "../util/assets.js";
import { readInside } from "../util/bounded-read.js";
import { UserError } from "../util/errors.js";
import { withDetectedLockfiles } from "./default-lockfile.js";
import type { Manifest } from "./schema.js";

export interface LoadedManifest {
  manifest: Manifest;
  file: string;
  /** nixkit.yaml as read: Nix errors that name a field are placed in it. */
  text: string;
}

// The cache lives outside the project, keyed by content: loading a manifest never writes into
// the project (`generate --check` writes nothing) and never changes a path: flake's source. An
// entry is tied to the exact nixkit.yaml bytes and the nixkit build that wrote it, and carries a
// checksum: one that was edited or damaged is parsed again, with a warning.
interface CachedManifest {
  sha256: string;
  build: string;
  manifest: Manifest;
  check: string;
}

const entryCheck = (sha256: string, build: string, manifest: unknown) => sha256hex(JSON.stringify({ sha256, build, manifest }));
const sha256hex = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

export type Warn = (message: string) => void;
const stderrWarn: Warn = (message) => process.stderr.write(`warning: ${message}\n`);

export async function loadManifest(projectDir: string, warn: Warn = stderrWarn): Promise<LoadedManifest> {
  const file = projectPaths(projectDir).manifest;
  let bytes: Buffer | undefined;
  try {
    bytes = readInside(projectDir, file, "manifest", file);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${file}: cannot read the manifest: ${(error as Error).message}`, { cause: error });
  }
  if (bytes === undefined) throw new UserError(`${file}: no manifest here (run \`nixkit init\`, or pass -C DIR to point at the project)`);
  const sha256 = sha256hex(bytes);
  const build = `${nixkitVersion()}+${nixkitBuildId()}`;
  const cacheFile = userCachePaths().manifest(sha256);
  // Run from the sources (the in-process tests), nixkit has no build id: the schema may have
  // changed since an entry was written, so nothing is cached.
  const cached = nixkitBuildId() === "source" ? undefined : await readCached(cacheFile);
  if (cached !== undefined) {
    const entry = (isObject(cached) ? cached : {}) as Partial<CachedManifest>;
    const intact = entry.sha256 === sha256 && entry.check === entryCheck(sha256, build, entry.manifest) && isObject(entry.manifest);
    if (intact) {
      const text = bytes.toString("utf8");
      return { manifest: withDetectedLockfiles(entry.manifest!, text, projectDir), file, text };
    }
    // An entry of another nixkit build is expected after an upgrade; anything else was damaged.
    if (!isObject(cached) || entry.build === build)
      warn(`ignoring a damaged manifest cache entry (${cacheFile}); nixkit.yaml is parsed again`);
  }
  const { parseManifest } = await import("./parse.js");
  const { manifest, text } = parseManifest(bytes, MANIFEST_FILE);
  const entry: CachedManifest = { sha256, build, manifest, check: entryCheck(sha256, build, manifest) };
  // Only a speed-up: a read-only or full cache directory must not fail the command.
  if (nixkitBuildId() !== "source") await writeFileIfChanged(cacheFile, JSON.stringify(entry)).catch(() => undefined);
  return { manifest: withDetectedLockfiles(manifest, text, projectDir), file, text };
}

/** The entry's JSON (null when it is not JSON), or undefined when there is none. */
async function readCached(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

const isObject = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value);
