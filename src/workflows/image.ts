// Writing and pushing an image: the one path `nixkit image build|inspect|push` and the pipeline's
// image and push stages take. Nix builds the image root's closure; nixkit writes the layers.
import type { AssembledImage } from "../image/assemble.js";
import { imageFromFlake } from "../image/from-flake.js";
import { checkImageOutput, defaultImageOutput, writeImageOutput, type ImageOutput } from "../image/outputs.js";
import { pushImage } from "../image/registry.js";
import type { Manifest } from "../manifest/schema.js";
import { prefetchDependencies, withManifestErrors, type Project } from "./project.js";

export interface WrittenImage {
  name: string;
  spec: Manifest["images"][string];
  output: ImageOutput;
  image: AssembledImage;
}

/** Builds the image and writes it to `output` (the default OCI layout when absent). */
export async function writeImage(project: Project, name: string, output?: ImageOutput): Promise<WrittenImage> {
  const { manifest } = project.loaded;
  const spec = manifest.images[name]!;
  const destination = output ?? defaultImageOutput(manifest.name, name);
  // A destination that cannot be written stops the run before anything is downloaded or built.
  await checkImageOutput(destination);
  await prefetchDependencies(project);
  const request = { projectDir: project.dir, name, spec, hostSystem: project.system, systems: manifest.systems };
  const image = await imageFromFlake(project.driver, request, {
    wrapNix: (step) => withManifestErrors(project.loaded, step),
    warn: project.logger.warn,
    signal: project.signal,
  });
  await writeImageOutput(image, destination, project.signal);
  return { name, spec, output: destination, image };
}

/** Writes the image's OCI layout again (cheap: its layers come from the layer cache) and pushes it; returns the pushed digest. */
export async function pushImageTo(project: Project, name: string, destination: string, tlsVerify: boolean): Promise<string> {
  const { spec, output } = await writeImage(project, name);
  return pushImage(output.path, spec.tag, destination, tlsVerify, project.signal);
}
