// The Nix system name of this machine ("x86_64-linux"), without asking Nix.
const arches: Record<string, string> = { x64: "x86_64", arm64: "aarch64", ia32: "i686", riscv64: "riscv64" };

export function currentSystem(): string {
  return `${arches[process.arch] ?? process.arch}-${process.platform}`;
}

/** Images run Linux: on macOS an image is built for the Linux system of the same architecture. */
export const imageSystem = (hostSystem: string): string => hostSystem.replace(/-[a-z]+$/, "-linux");
