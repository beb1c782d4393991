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
  /** `nix path-info --json` returns a map keyed by path (2.19+) instead of a list. */
  pathInfoJsonMap: boolean;
}

export function featuresOf(v: NixVersion): NixFeatures {
  return { pathInfoJsonMap: !v.lix && atLeast(v, 2, 19) };
}

export const isSupported = (v: NixVersion): boolean => atLeast(v, MIN_NIX.major, MIN_NIX.minor);
