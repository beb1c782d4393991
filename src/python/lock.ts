// What a Python lockfile (uv.lock, poetry.lock, hashed requirements.txt) becomes for the Nix library
// (nix/lib/python-lock.nix): the locked distributions with the files each may install from, the
// dependency graph with its environment markers, and the roots an install starts from. Nix picks
// the wheel for the build's system and interpreter, follows the markers and fetches each file by
// the lock's sha256, so nothing here depends on which Python the package set has.
import type { Marker } from "./markers.js";

/** An edge of the graph: a distribution (by key), when its marker holds, with these extras. */
export interface PythonDependency {
  key: string;
  marker: Marker | null;
  extras: string[];
}

export interface PythonDistribution {
  name: string;
  version: string;
  /** "FILENAME URL SRI-HASH" per wheel that may install on one of the manifest's systems. */
  wheels: string[];
  /** The source distribution, the same way, when the lock has one. */
  sdist: string | null;
  dependencies: PythonDependency[];
  /** The dependencies each extra adds. */
  extras: Record<string, PythonDependency[]>;
  /** false: the project itself or a workspace member (its dependencies are installed, it is not). */
  installs: boolean;
}

export interface PythonLock {
  /** Keys are "NAME==VERSION" (NAME normalised as PEP 503 does). */
  distributions: Record<string, PythonDistribution>;
  roots: PythonDependency[];
  /** The lock's requires-python specifiers ("" when it has none). */
  requiresPython: string;
}

/** PEP 503's normalised name: lowercase, runs of -_. as one "-". */
export const normalizeName = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, "-");
export const distributionKey = (name: string, version: string): string => `${normalizeName(name)}==${version}`;

const ARCHES: Record<string, { linux: string; darwin: RegExp }> = {
  "x86_64-linux": { linux: "x86_64", darwin: /$^/ },
  "aarch64-linux": { linux: "aarch64", darwin: /$^/ },
  "x86_64-darwin": { linux: "", darwin: /^macosx_\d+_\d+_(x86_64|intel|universal2?)$/ },
  "aarch64-darwin": { linux: "", darwin: /^macosx_\d+_\d+_(arm64|universal2)$/ },
};

/**
 * Whether a wheel's platform tags include one that one of `systems` may install (glibc Linux:
 * manylinux and linux_ARCH; macOS: macosx). The rest (Windows, musllinux, other CPUs) is left out
 * of flake.nix, where it would only take room: a numpy release has 50 wheels.
 */
export function wheelMayInstall(filename: string, systems: string[]): boolean {
  const tags = /-([^-]+)\.whl$/.exec(filename)?.[1]?.split(".") ?? [];
  return tags.some(
    (tag) =>
      tag === "any" ||
      systems.some((system) => {
        const arch = ARCHES[system];
        if (!arch) return false;
        if (
          arch.linux &&
          (tag === `linux_${arch.linux}` || /^manylinux(1|2010|2014|_\d+_\d+)_/.test(tag)) &&
          tag.endsWith(`_${arch.linux}`)
        )
          return true;
        return arch.darwin.test(tag);
      }),
  );
}

/** The 1-based line of the first line of `text` that `pattern` matches at or after `from` (1 if none). */
export function lineOf(text: string, pattern: RegExp, from = 1): number {
  const lines = text.split("\n");
  for (let i = from - 1; i < lines.length; i++) if (pattern.test(lines[i]!)) return i + 1;
  return 1;
}

export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
