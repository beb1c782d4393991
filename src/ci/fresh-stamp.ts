// Whether the committed CI files are what `nixkit ci generate` writes, without loading the YAML
// writer: the full comparison (which renders them) leaves a stamp of this nixkit build, the
// pipeline's key and each file's bytes; while all three hold, so does its answer.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Manifest } from "../manifest/schema.js";
import { GITHUB_WORKFLOW_FILE, GITLAB_CI_FILE, projectPaths } from "../state/layout.js";
import { stampHolds, writeStamp } from "../state/stamp.js";
import { nixkitBuildId, nixkitVersion } from "../util/assets.js";
import { sha256 } from "../util/hash.js";

/** Everything the pipelines are rendered from (the header of each file records it). */
export const pipelineKey = (manifest: Manifest): string =>
  sha256(JSON.stringify({ ci: manifest.ci, cache: manifest.cache ?? null, images: Object.keys(manifest.images), nixkit: nixkitVersion() }));

function stampContent(projectDir: string, manifest: Manifest): string | undefined {
  const files: Record<string, string> = {};
  for (const provider of manifest.ci.providers) {
    const file = provider === "github" ? GITHUB_WORKFLOW_FILE : GITLAB_CI_FILE;
    try {
      files[file] = sha256(readFileSync(path.join(projectDir, file)));
    } catch {
      return undefined;
    }
  }
  return JSON.stringify({ build: nixkitBuildId(), key: pipelineKey(manifest), files });
}

/** After a full comparison found the CI files fresh. */
export function writeCiStamp(projectDir: string, manifest: Manifest): void {
  const content = stampContent(projectDir, manifest);
  if (content) writeStamp(projectPaths(projectDir).ciStamp, content);
}

export function ciFilesFreshByStamp(projectDir: string, manifest: Manifest): boolean {
  const content = stampContent(projectDir, manifest);
  return content !== undefined && stampHolds(projectPaths(projectDir).ciStamp, content);
}
