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
  // Lix forked at Nix 2.18 and numbers its releases 2.90+: for it, the gates below say themselves.
  v.lix || v.major > major || (v.major === major && v.minor >= minor);

export interface NixFeatures {
  /** `nix path-info --json` returns a map keyed by path (2.19+) instead of a list. */
  pathInfoJsonMap: boolean;
  /** `nix path-info --json` wants `--json-format 1` (2.33+ warns without it; older ones refuse it). */
  pathInfoJsonFormat: boolean;
  /** `nix flake update INPUT...` (2.19+) rather than `nix flake lock --update-input INPUT`. */
  flakeUpdateInputs: boolean;
  /** `nix config show` (2.20+) rather than the deprecated `nix show-config`. */
  configShow: boolean;
  /** `nix store info --json` (2.19+): the store's URL, its Nix version and whether it trusts this user. */
  storeInfo: boolean;
  /**
   * The flake evaluation cache holds up under concurrent nix processes (2.11+; before, one may
   * read another's half-written cache: "attribute '…' is unexpectedly missing").
   */
  concurrentEvalCache: boolean;
}

// Lix forked at 2.18: it keeps the older forms.
export function featuresOf(v: NixVersion): NixFeatures {
  const nix = (major: number, minor: number) => !v.lix && atLeast(v, major, minor);
  return {
    pathInfoJsonMap: nix(2, 19),
    pathInfoJsonFormat: nix(2, 33),
    flakeUpdateInputs: nix(2, 19),
    configShow: nix(2, 20),
    storeInfo: nix(2, 19),
    concurrentEvalCache: v.lix || atLeast(v, 2, 11),
  };
}

export const isSupported = (v: NixVersion): boolean => atLeast(v, MIN_NIX.major, MIN_NIX.minor);

// Nix turns a local git checkout into a git+file URL and parses it again. Before 2.14 it wrote the
// path into that URL as it is (ParsedURL::to_string percent-encodes the path from 2.14 on), so a
// character URLs do not allow there breaks every flake command ("'file:///x/a b' is not a valid
// URL"). Measured here: Nix 2.8 fails on a space, non-ASCII, # ? [ ] { } < > | ` \ ^ and a % that
// is no escape, and takes the rest (' " $ ; & = @ , + ~ ! ( ) *); Nix 2.26.3 takes them all. Lix
// forked after the fix. Plain directories (path: flakes) are not affected.
const URL_PATH = /^(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})*$/;

/** Why this Nix cannot use a flake in the git checkout at `gitRoot`, or undefined. */
export function gitPathProblem(v: NixVersion, gitRoot: string | undefined): string | undefined {
  if (!gitRoot || URL_PATH.test(gitRoot) || v.lix || atLeast(v, 2, 14)) return undefined;
  const bad = [...gitRoot].find((c) => !URL_PATH.test(c)) ?? "%";
  const named = /\s/.test(bad) ? "a space" : /[^\x00-\x7f]/.test(bad) ? "a non-ASCII character" : `"${bad}"`;
  return (
    `Nix ${v.major}.${v.minor} cannot use a flake in a git checkout whose path has ${named} (${gitRoot}): before 2.14 Nix puts the ` +
    "path into a URL unescaped. Move or rename the checkout (e.g. to ~/src/my-project), or use Nix 2.14 or newer"
  );
}
