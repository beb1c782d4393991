// Nix version detection and the feature gates that depend on it (DESIGN.md "Nix versions").
export interface NixVersion {
  major: number;
  minor: number;
  patch: number;
  lix: boolean;
  text: string;
}

export const MIN_NIX = { major: 2, minor: 8 };

export function parseNixVersion(output: string): NixVersion | undefined {
  const match = output.match(/nix \((Lix|Nix)[^)]*\) (\d+)\.(\d+)(?:\.(\d+))?/i);
  if (!match) return undefined;
  return {
    lix: match[1]!.toLowerCase() === "lix",
    major: Number(match[2]),
    minor: Number(match[3]),
    patch: Number(match[4] ?? 0),
    text: output.trim(),
  };
}

const atLeast = (v: NixVersion, major: number, minor: number) =>
  // Lix forked at Nix 2.18 and numbers its releases 2.90+; it has every gate below.
  v.lix || v.major > major || (v.major === major && v.minor >= minor);

export interface NixFeatures {
  /** `nix build --print-out-paths` (2.9+); older versions need `--json`. */
  printOutPaths: boolean;
  /** `nix derivation show` (2.15+) instead of `nix show-derivation`. */
  derivationShow: boolean;
  /** `nix path-info --json` returns a map keyed by path (2.19+) instead of a list. */
  pathInfoJsonMap: boolean;
  /** internal-json activities carry `parent` (2.18+). */
  logParent: boolean;
}

export function featuresOf(v: NixVersion): NixFeatures {
  return {
    printOutPaths: atLeast(v, 2, 9),
    derivationShow: atLeast(v, 2, 15),
    pathInfoJsonMap: !v.lix && atLeast(v, 2, 19),
    logParent: atLeast(v, 2, 18),
  };
}

export const isSupported = (v: NixVersion): boolean => atLeast(v, MIN_NIX.major, MIN_NIX.minor);
