// The project files a build or test pins by sha256 (`data: {NAME: {path, sha256}}`), checked when
// the flake is generated, so that a file with other bytes is reported at its field with the hash
// it has (Nix checks them again when it adds them). A file's hash is remembered by its settled
// signature (src/state/file-signature.ts): a data set of gigabytes is read once, not every run.
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import type { Manifest } from "../manifest/schema.js";
import { fileSignature } from "../state/file-signature.js";
import { projectPaths } from "../state/layout.js";
import { readEntries, writeEntries } from "../state/stamp.js";
import { FieldError } from "../util/errors.js";

function sha256Of(file: string): string {
  const hash = createHash("sha256");
  const buffer = Buffer.alloc(1 << 20);
  const fd = openSync(file, "r");
  try {
    for (let read; (read = readSync(fd, buffer, 0, buffer.length, null)) > 0;) hash.update(buffer.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

const hexOf = (sha256: string) =>
  /^[0-9a-f]{64}$/.test(sha256) ? sha256 : Buffer.from(sha256.slice("sha256-".length), "base64").toString("hex");

/** Throws a FieldError naming every pinned project file that is missing, not a file, or has other bytes. */
export function checkPinnedData(manifest: Manifest, projectDir: string, manifestText: string, nowMs = Date.now()): void {
  const cacheFile = projectPaths(projectDir).dataHashes;
  const cached = readEntries(cacheFile);
  const learned: Record<string, string> = {};
  const problems: string[] = [];
  for (const kind of ["builds", "tests"] as const) {
    for (const [name, spec] of Object.entries(manifest[kind])) {
      for (const [dataName, data] of Object.entries(spec.data)) {
        if (data.path === undefined) continue;
        const field = `${kind}.${name}.data.${dataName}`;
        const file = path.join(projectDir, data.path);
        const stat = statSync(file, { throwIfNoEntry: false });
        if (!stat) {
          problems.push(`nixkit.yaml ${field}.path: ${data.path} does not exist`);
          continue;
        }
        if (!stat.isFile()) {
          problems.push(
            `nixkit.yaml ${field}.path: ${data.path} is not a file; pin one file (for a directory, an archive of it: tar -cf data.tar DIR)`,
          );
          continue;
        }
        const { signature, settled } = fileSignature(file, nowMs);
        const key = `${data.path}\0${signature}`;
        const hex = typeof cached[key] === "string" ? (cached[key] as string) : sha256Of(file);
        if (settled) learned[key] = hex;
        if (hex !== hexOf(data.sha256))
          problems.push(
            `nixkit.yaml ${field}.sha256: ${data.path} has sha256 ${hex}, not the one given; if this is the file you want, set sha256: ${hex}`,
          );
      }
    }
  }
  if (Object.keys(learned).length > 0) writeEntries(cacheFile, learned, 1000);
  if (problems.length > 0) throw new FieldError(problems.join("\n"), manifestText);
}
