// An image from the project's flake: Nix builds the image root, nixkit roots it and assembles
// the image from its closure. Shared by `nixkit image` and the CI pipeline.
import type { Manifest } from "../manifest/schema.js";
import type { BuildOutcome, NixDriver } from "../nix/driver.js";
import { drvName, flakeAttrs } from "../nix/flake-attrs.js";
import { nixFailure } from "../nix/process.js";
import { rootGeneration, rootedStorePaths, withTemporaryRoots } from "../roots/registry.js";
import { userCachePaths } from "../state/layout.js";
import { gitAnnotations } from "../util/git.js";
import { imageSystem } from "../util/system.js";
import { assembleImage, type AssembledImage } from "./assemble.js";
import { checkImageSystem, missingBuilder, ociPlatform } from "./platform.js";
import { parseUser } from "./users.js";

export interface ImageRequest {
  projectDir: string;
  name: string;
  spec: Manifest["images"][string];
  /** The machine's system; the image is built for its Linux counterpart (image/platform.ts). */
  hostSystem: string;
  /** The manifest's systems. */
  systems: string[];
}

export interface ImageOptions {
  /** Wraps the Nix build (to turn errors naming a manifest field into manifest errors). */
  wrapNix?: <T>(step: () => Promise<T>) => Promise<T>;
  /** Hears about damaged layer-cache entries. */
  warn?: (message: string) => void;
  signal?: AbortSignal;
}

export async function imageFromFlake(driver: NixDriver, request: ImageRequest, options: ImageOptions = {}): Promise<AssembledImage> {
  const wrapNix = options.wrapNix ?? ((step) => step());
  const system = imageSystem(request.hostSystem);
  checkImageSystem(system, request.hostSystem, request.systems);
  const root = await withTemporaryRoots(async (outLink) => {
    const built = await wrapNix(async () => {
      const outcome = await driver.buildAll([flakeAttrs.imageRoot(system, request.name)], {
        outLink,
        rooted: rootedStorePaths(request.projectDir),
      });
      if (!outcome.error) return outcome.built[0]!.outputs.out!;
      const file = singleFileContent(outcome);
      if (file) throw nixFailure("build", singleFileProblem(request, file));
      const noBuilder = missingBuilder(outcome.error.nixMessage, system);
      if (noBuilder) throw noBuilder;
      driver.showFailedLogs(outcome);
      throw outcome.error;
    });
    await rootGeneration(driver, request.projectDir, "images", request.name, [built]);
    return built;
  });
  return assembleImage(
    {
      spec: request.spec,
      user: parseUser(request.spec.user)!,
      root,
      closure: await driver.store.closure(root),
      platform: ociPlatform(system),
      reference: `${request.name}:${request.spec.tag}`,
      mtime: process.env.SOURCE_DATE_EPOCH ? Number(process.env.SOURCE_DATE_EPOCH) : 1,
      annotations: gitAnnotations(request.projectDir),
    },
    { dir: userCachePaths().layerCache, warn: options.warn, signal: options.signal },
  );
}

// nixpkgs' buildEnv merges directories only: a content whose output is a single file stops it.
function singleFileContent(outcome: BuildOutcome): string | undefined {
  for (const drv of outcome.failed) {
    for (const line of outcome.logOf(drv)) {
      const match = /The store path (\S+) is a file and can't be merged into an environment/.exec(line);
      if (match) return match[1];
    }
  }
  return undefined;
}

/** The problem in the manifest's words, naming the content item (a build is named after itself). */
function singleFileProblem(request: ImageRequest, file: string): string {
  const index = request.spec.contents.indexOf(drvName(file));
  const field = `images.${request.name}.contents${index >= 0 ? `[${index}]` : ""}`;
  return `nixkit.yaml ${field}: ${file} is a single file, and an image's contents are merged as directories (nixpkgs' buildEnv refuses files); have the build write a directory, e.g. $out/bin/${drvName(file)}`;
}
