// An image from the project's flake: Nix builds the image root, nixkit roots it and assembles
// the image from its closure. Shared by `nixkit image` and the CI pipeline.
import type { Manifest } from "../manifest/schema.js";
import type { NixDriver } from "../nix/driver.js";
import { flakeAttrs } from "../nix/flake-attrs.js";
import { rootGeneration, withTemporaryRoots } from "../roots/registry.js";
import { userCachePaths } from "../state/layout.js";
import { gitAnnotations } from "../util/git.js";
import { assembleImage, ociArchitecture, type AssembledImage } from "./assemble.js";
import { parseUser } from "./users.js";

export interface ImageRequest {
  projectDir: string;
  name: string;
  spec: Manifest["images"][string];
  system: string;
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
  const root = await withTemporaryRoots(async (outLink) => {
    const [built] = await wrapNix(() => driver.build([flakeAttrs.imageRoot(request.system, request.name)], { outLink }));
    await rootGeneration(driver, request.projectDir, "images", request.name, [built!.outputs.out!]);
    return built!.outputs.out!;
  });
  return assembleImage(
    {
      spec: request.spec,
      user: parseUser(request.spec.user)!,
      root,
      closure: await driver.store.closure(root),
      architecture: ociArchitecture(request.system),
      reference: `${request.name}:${request.spec.tag}`,
      mtime: process.env.SOURCE_DATE_EPOCH ? Number(process.env.SOURCE_DATE_EPOCH) : 1,
      annotations: gitAnnotations(request.projectDir),
    },
    { dir: userCachePaths().layerCache, warn: options.warn, signal: options.signal },
  );
}
