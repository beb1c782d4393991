// Builds an image root with Nix, roots it, and assembles the image from its closure: shared by
// `nixkit image` and the CI pipeline's image stage.
import { execFileSync } from "node:child_process";
import { rootGeneration, withTemporaryRoots } from "../gc/roots.js";
import type { Manifest } from "../manifest/schema.js";
import type { NixDriver } from "../nix/driver.js";
import { assembleImage, ociArchitecture } from "./build.js";
import { parseUser } from "./users.js";
import { userCachePath } from "../util/user-cache.js";

export interface MakeImageInput {
  projectDir: string;
  projectName: string;
  name: string;
  spec: Manifest["images"][string];
  system: string;
}

export const layerCacheDir = (): string => userCachePath("image-cache");
export const defaultImageDir = (projectName: string, image: string): string => userCachePath("images", `${projectName}-${image}`);

export async function makeImage(
  driver: NixDriver,
  input: MakeImageInput,
  wrapNix: <T>(step: () => Promise<T>) => Promise<T> = (step) => step(),
) {
  const root = await withTemporaryRoots(async (outLink) => {
    const [built] = await wrapNix(() => driver.build([`legacyPackages.${input.system}.nixkit.images.${input.name}`], { outLink }));
    await rootGeneration(driver, input.projectDir, "images", input.name, [built!.outputs.out!]);
    return built!.outputs.out!;
  });
  return assembleImage(
    {
      spec: input.spec,
      user: parseUser(input.spec.user)!,
      root,
      closure: await driver.closure(root),
      architecture: ociArchitecture(input.system),
      reference: `${input.name}:${input.spec.tag}`,
      mtime: process.env.SOURCE_DATE_EPOCH ? Number(process.env.SOURCE_DATE_EPOCH) : 1,
      annotations: gitAnnotations(input.projectDir),
    },
    { dir: layerCacheDir() },
  );
}

// org.opencontainers.image.source/revision from git when the project is a git checkout.
function gitAnnotations(projectDir: string): Record<string, string> {
  const git = (...args: string[]) => {
    try {
      return execFileSync("git", ["-C", projectDir, ...args], { stdio: ["ignore", "pipe", "ignore"] })
        .toString()
        .trim();
    } catch {
      return "";
    }
  };
  const revision = git("rev-parse", "HEAD");
  const source = git("config", "--get", "remote.origin.url");
  return {
    ...(revision ? { "org.opencontainers.image.revision": revision } : {}),
    ...(source ? { "org.opencontainers.image.source": source } : {}),
  };
}
