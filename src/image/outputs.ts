// Where `nixkit image build` writes an image: an OCI layout directory (by default in the user
// cache, where the CI image stage and `image push` find it), an OCI archive or a docker-archive.
// A user's path is written only into an existing directory, and never over something that is not
// an image nixkit wrote.
import { promises as fs } from "node:fs";
import path from "node:path";
import { userCachePaths } from "../state/layout.js";
import { UserError } from "../util/errors.js";
import { isNixkitLayout, writeArchive, writeOciDirectory, type ImageDocuments } from "./oci.js";

export interface ImageOutput {
  kind: "oci" | "oci-archive" | "docker-archive";
  path: string;
  /** nixkit's own place in the user cache (made when missing), not a path the user named. */
  isDefault?: boolean;
}

export const defaultImageOutput = (project: string, image: string): ImageOutput => ({
  kind: "oci",
  path: userCachePaths().image(project, image),
  isDefault: true,
});

/** `oci:DIR`, `oci-archive:FILE` or `docker-archive:FILE`, the path resolved. */
export function parseImageOutput(text: string): ImageOutput {
  const match = text.match(/^(oci|oci-archive|docker-archive):(.+)$/);
  if (!match) throw new UserError(`--out takes oci:DIR, oci-archive:FILE or docker-archive:FILE, not "${text}"`);
  return { kind: match[1] as ImageOutput["kind"], path: path.resolve(match[2]!) };
}

/** Refuses (exit 2, touching nothing) a target whose directory is missing or that holds something else. */
export async function checkImageOutput(output: ImageOutput): Promise<void> {
  const parent = path.dirname(output.path);
  if (output.isDefault) {
    await fs.mkdir(parent, { recursive: true });
    return;
  }
  const parentStat = await fs.stat(parent).catch(() => undefined);
  if (!parentStat?.isDirectory()) {
    throw new UserError(
      `--out: ${parent} does not exist or is not a directory; nixkit writes only into an existing directory (create it first)`,
    );
  }
  const stat = await fs.lstat(output.path).catch(() => undefined);
  if (!stat) return;
  if (output.kind === "oci") {
    if (stat.isDirectory() && ((await fs.readdir(output.path)).length === 0 || (await isNixkitLayout(output.path)))) return;
    throw new UserError(
      `--out: ${output.path} exists and is not an OCI layout nixkit wrote; nixkit will not replace it (choose a new directory, or remove it yourself)`,
    );
  }
  if (stat.isFile() && (await isNixkitArchive(output.path))) return;
  throw new UserError(
    `--out: ${output.path} exists and is not an image archive nixkit wrote; nixkit will not replace it (choose another file, or remove it yourself)`,
  );
}

// nixkit's archives start with index.json (their entries are sorted, blobs last) in a ustar header.
async function isNixkitArchive(file: string): Promise<boolean> {
  const handle = await fs.open(file, "r");
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(512), 0, 512, 0);
    return bytesRead === 512 && buffer.toString("latin1", 0, 11) === "index.json\0" && buffer.toString("latin1", 257, 262) === "ustar";
  } finally {
    await handle.close();
  }
}

export function writeImageOutput(image: ImageDocuments, output: ImageOutput, signal?: AbortSignal): Promise<void> {
  return output.kind === "oci"
    ? writeOciDirectory(image, output.path, signal)
    : writeArchive(image, output.path, output.kind === "docker-archive", signal);
}

export const describeOutput = (output: ImageOutput): string => `${output.kind}:${output.path}`;
