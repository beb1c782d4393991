// nixkit image build|push|inspect: the image root's closure is built by Nix; nixkit writes the
// layers itself, straight from /nix/store.
import path from "node:path";
import type { Invocation } from "../cli.js";
import { readStats } from "../image/layer-writer.js";
import { writeArchive, writeOciDirectory } from "../image/oci.js";
import { defaultImageDir, makeImage } from "../image/make.js";
import { pushImage } from "../image/registry.js";
import { drvName } from "../nix/internal-json.js";
import { UserError } from "../util/errors.js";
import { currentSystem } from "../util/system.js";
import type { CommandContext } from "./context.js";
import { prepareProject, selectNames, withManifestErrors } from "./project.js";

type Output = { kind: "oci" | "oci-archive" | "docker-archive"; path: string };

export async function run(ctx: CommandContext, inv: Invocation): Promise<void> {
  const [verb] = inv.command.split(" ").slice(1);
  const loaded = await prepareProject(ctx);
  const [name] = selectNames("images", Object.keys(loaded.manifest.images), inv.args.slice(0, 1));
  if (!name) throw new UserError("name an image: nixkit image build NAME");
  const spec = loaded.manifest.images[name]!;
  const output =
    verb === "build" && inv.options.out
      ? parseOutput(String(inv.options.out))
      : { kind: "oci" as const, path: defaultImageDir(loaded.manifest.name, name) };

  const image = await makeImage(
    ctx.driver(),
    { projectDir: ctx.projectDir, projectName: loaded.manifest.name, name, spec, system: currentSystem() },
    (step) => withManifestErrors(loaded, step),
  );
  if (output.kind === "oci") await writeOciDirectory(image, output.path);
  else await writeArchive(image, output.path, output.kind === "docker-archive");

  if (verb === "push") {
    const destination = String(inv.options.to ?? "");
    if (!destination.startsWith("docker://"))
      throw new UserError("--to takes a docker:// reference, e.g. --to docker://registry.example.org/team/web:1.0");
    const pushed = await pushImage(output.path, spec.tag, destination, inv.options.tlsVerify !== false, ctx.signal);
    return ctx.logger.json
      ? ctx.logger.data({ image: name, pushed: destination, digest: pushed })
      : ctx.logger.result(`${destination}@${pushed}`);
  }
  const layers = image.layers.map((l, i) => ({
    digest: l.digest,
    diffId: l.diffId,
    size: l.size,
    paths: image.layerPaths[i]!.map((p) => drvName(p)),
  }));
  if (ctx.logger.json) {
    return ctx.logger.data({
      image: name,
      reference: image.reference,
      digest: image.manifest.digest,
      config: image.config.digest,
      output: `${output.kind}:${output.path}`,
      layers,
      // How much of the closure had to be read: 0 when every layer came from the cache.
      contentBytesRead: readStats.contentBytes,
      ...(verb === "inspect" ? { imageConfig: JSON.parse(image.config.bytes!.toString()) } : {}),
    });
  }
  if (verb === "inspect") {
    for (const [i, l] of layers.entries())
      ctx.logger.result(
        `layer ${String(i + 1).padStart(3)}  ${(l.size / 1024).toFixed(0).padStart(8)} KiB  ${l.digest.slice(7, 19)}  ${l.paths.join(" ")}`,
      );
    ctx.logger.result(JSON.stringify(JSON.parse(image.config.bytes!.toString()).config, null, 2));
  }
  ctx.logger.result(`${image.reference}  ${image.manifest.digest}  ${output.kind}:${output.path}`);
}

function parseOutput(text: string): Output {
  const match = text.match(/^(oci|oci-archive|docker-archive):(.+)$/);
  if (!match) throw new UserError(`--out takes oci:DIR, oci-archive:FILE or docker-archive:FILE, not "${text}"`);
  return { kind: match[1] as Output["kind"], path: path.resolve(match[2]!) };
}
