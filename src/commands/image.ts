// nixkit image build|push|inspect: the image root's closure is built by Nix; nixkit writes the
// layers itself, straight from /nix/store.
import { describeOutput, parseImageOutput } from "../image/outputs.js";
import { drvName } from "../nix/flake-attrs.js";
import type { Session } from "../workflows/session.js";
import { UserError } from "../util/errors.js";
import { pushImageTo, writeImage, type WrittenImage } from "../workflows/image.js";
import { prepareProject } from "../workflows/project.js";

/** Builds the named image and writes it to `out` (the default OCI layout when absent). */
async function writtenImage(session: Session, image: string, out?: string): Promise<WrittenImage> {
  const output = out ? parseImageOutput(out) : undefined;
  const project = await prepareProject(session, { select: { kind: "images", names: [image] } });
  return writeImage(project, project.names[0]!, output);
}

export async function build(session: Session, options: { image: string; out?: string }): Promise<void> {
  report(session, await writtenImage(session, options.image, options.out), false);
}

export async function inspect(session: Session, options: { image: string }): Promise<void> {
  report(session, await writtenImage(session, options.image), true);
}

export async function push(session: Session, options: { image: string; to: string; tlsVerify: boolean }): Promise<void> {
  const { logger } = session;
  if (!options.to.startsWith("docker://")) {
    throw new UserError("--to takes a docker:// reference, e.g. --to docker://registry.example.org/team/web:1.0");
  }
  const project = await prepareProject(session, { select: { kind: "images", names: [options.image] } });
  const digest = await pushImageTo(project, project.names[0]!, options.to, options.tlsVerify);
  if (logger.json) return logger.data({ image: project.names[0], pushed: options.to, digest });
  logger.result(`${options.to}@${digest}`);
}

function report(session: Session, written: WrittenImage, inspect: boolean): void {
  const { logger } = session;
  const { name, image, output } = written;
  const layers = image.layers.map((l, i) => ({
    digest: l.digest,
    diffId: l.diffId,
    size: l.size,
    paths: image.layerPaths[i]!.map((p) => drvName(p)),
  }));
  const config = JSON.parse(image.config.bytes!.toString()) as { config: unknown };
  if (logger.json) {
    return logger.data({
      image: name,
      reference: image.reference,
      digest: image.manifest.digest,
      config: image.config.digest,
      output: describeOutput(output),
      layers,
      // How much of the closure had to be read: 0 when every layer came from the cache.
      contentBytesRead: image.contentBytesRead,
      ...(inspect ? { imageConfig: config } : {}),
    });
  }
  if (inspect) {
    for (const [i, l] of layers.entries()) {
      const kib = (l.size / 1024).toFixed(0).padStart(8);
      logger.result(`layer ${String(i + 1).padStart(3)}  ${kib} KiB  ${l.digest.slice(7, 19)}  ${l.paths.join(" ")}`);
    }
    logger.result(JSON.stringify(config.config, null, 2));
  }
  logger.result(`${image.reference}  ${image.manifest.digest}  ${describeOutput(output)}`);
}
