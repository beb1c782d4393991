// Which system an image is built for, and what its config says about it. Images run Linux: on
// macOS an image is the Linux one of the same architecture, built by a Linux builder (Nix's
// `builders`), never the Mach-O programs of the Darwin package set labelled linux.
import { EnvError, UserError } from "../util/errors.js";

/** The image config's architecture and os for a Nix system ("aarch64-linux" -> arm64, linux). */
export function ociPlatform(system: string): { architecture: string; os: string } {
  const [arch, os] = system.split("-") as [string, string];
  return { architecture: ({ x86_64: "amd64", aarch64: "arm64", i686: "386" } as Record<string, string>)[arch] ?? arch, os };
}

/** The manifest must expose the image's system, or the flake has no image root to build. */
export function checkImageSystem(system: string, hostSystem: string, declared: string[]): void {
  if (declared.includes(system)) return;
  throw new UserError(
    `nixkit.yaml systems: images are Linux images, built for ${system} on this ${hostSystem} machine; add "${system}" to systems (with a Linux builder for Nix on macOS)`,
  );
}

/** Nix's refusal to build for a system it has no builder for, as an environment problem (exit 3). */
export function missingBuilder(nixMessage: string, system: string): EnvError | undefined {
  if (!/is required to build '[^']*', but I am a/.test(nixMessage)) return undefined;
  return new EnvError(
    `an image for ${system} needs a ${system} builder and Nix has none: add one to nix.conf \`builders\` (on macOS, e.g. nix-darwin's linux-builder) or build the image on Linux`,
  );
}
