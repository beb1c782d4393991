// Where `nixkit image build` writes an image: an OCI layout directory (by default in the user
// cache, where the CI image stage and `image push` find it), an OCI archive or a docker-archive.
import path from "node:path";
import { userCachePaths } from "../state/layout.js";
import { UserError } from "../util/errors.js";
import { writeArchive, writeOciDirectory, type ImageDocuments } from "./oci.js";

export interface ImageOutput {
  kind: "oci" | "oci-archive" | "docker-archive";
  path: string;
}

export const defaultImageOutput = (project: string, image: string): ImageOutput => ({
  kind: "oci",
  path: userCachePaths().image(project, image),
});

/** `oci:DIR`, `oci-archive:FILE` or `docker-archive:FILE`, the path resolved. */
export function parseImageOutput(text: string): ImageOutput {
  const match = text.match(/^(oci|oci-archive|docker-archive):(.+)$/);
  if (!match) throw new UserError(`--out takes oci:DIR, oci-archive:FILE or docker-archive:FILE, not "${text}"`);
  return { kind: match[1] as ImageOutput["kind"], path: path.resolve(match[2]!) };
}

export function writeImageOutput(image: ImageDocuments, output: ImageOutput): Promise<void> {
  return output.kind === "oci" ? writeOciDirectory(image, output.path) : writeArchive(image, output.path, output.kind === "docker-archive");
}

export const describeOutput = (output: ImageOutput): string => `${output.kind}:${output.path}`;
