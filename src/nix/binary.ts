// Which nix binary nixkit runs, what identifies it, and what this process may ask of it.
// Node builtins only: the warm shell path keys the cached environment on the fingerprint.
import { existsSync, realpathSync, statSync } from "node:fs";
import path from "node:path";

/** NIXKIT_NIX (a path or a name on PATH), else `nix` from PATH. */
export const nixBinary = (env: NodeJS.ProcessEnv = process.env): string => env.NIXKIT_NIX || "nix";

/** A tool installed beside the nix binary (`nix-store`), or found on PATH like it. */
export function siblingBinary(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const nix = nixBinary(env);
  return nix.includes("/") ? path.join(path.dirname(nix), name) : name;
}

/** The real path of the binary (a path, or a name looked up on PATH), or undefined when there is none. */
export function realBinary(binary: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = binary.includes("/")
    ? [binary]
    : (env.PATH ?? "")
        .split(":")
        .filter(Boolean)
        .map((d) => path.join(d, binary));
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    try {
      return realpathSync(candidate);
    } catch {
      // not in this PATH entry
    }
  }
  return undefined;
}

/** Real path, size and mtime of the binary: a new Nix changes it without running nix. */
export function binaryFingerprint(binary: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const real = realBinary(binary, env);
  const stat = real ? statSync(real, { throwIfNoEntry: false }) : undefined;
  return stat ? `${real}:${stat.size}:${stat.mtimeMs}` : undefined;
}

/**
 * Whether this process may set `sandbox` itself: root talks to its own store, without a daemon's
 * say. Not on macOS, where the sandbox is off by default and forcing it breaks nixpkgs builds.
 */
export const canSetSandbox = (platform: NodeJS.Platform = process.platform): boolean => platform === "linux" && process.getuid?.() === 0;
