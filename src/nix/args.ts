// Pure argv builders for every nix and nix-store invocation nixkit makes. Never shell strings.
import type { NixFeatures } from "./version.js";
export interface NixContext {
  /** The project directory; the flake lives there. */
  projectDir: string;
  /** A flake ref that replaces the nixpkgs input (--nixpkgs / NIXKIT_NIXPKGS). */
  nixpkgsOverride?: string;
  /** Whether this process may set `sandbox` itself (root or a trusted user without a daemon). */
  canSetSandbox: boolean;
}

export const COMMON_ARGS = ["--extra-experimental-features", "nix-command flakes"];

// Nix parses flake refs as URLs and rejects absolute paths with spaces, "#" or non-ASCII;
// "." resolved against the project directory (nix's cwd) works for every path.
export function flakeRef(attr?: string): string {
  return attr === undefined ? "." : `.#${attr}`;
}

function overrideArgs(ctx: NixContext): string[] {
  // An override must not be written into the project's flake.lock.
  return ctx.nixpkgsOverride ? ["--override-input", "nixpkgs", ctx.nixpkgsOverride, "--no-write-lock-file"] : [];
}

const sandboxArgs = (ctx: NixContext) => (ctx.canSetSandbox ? ["--option", "sandbox", "true"] : []);

// Nix's own downloads (fixed-output fetches, substitutes) wait 300 s on a silent server by
// default, and retry that 5 times: bounded here, so a registry that accepts and never answers
// fails a build in about two minutes, naming the URL, instead of hanging for half an hour. A
// nix-daemon takes only connect-timeout from a user it does not trust (and warns about the rest).
const downloadTimeoutArgs = (ctx: NixContext) => [
  ...["--option", "connect-timeout", "15"],
  ...(ctx.canSetSandbox ? ["--option", "stalled-download-timeout", "30", "--option", "download-attempts", "3"] : []),
];

export interface BuildOptions {
  /** Out-link base name; several installables get base, base-1, base-2, … (Nix's numbering). */
  outLink?: string;
  /** Build everything that can be built even when something fails. */
  keepGoing?: boolean;
  /** Run builders again for outputs that are already valid, keeping a differing result as <out>.check. */
  rebuild?: boolean;
  /** Builds at once: a number or "auto" (one per core). Nix's own default is 1. */
  maxJobs?: string;
  /** Further nix options (substituters, builders, --store), from the functions below. */
  extraArgs?: string[];
  /**
   * The store paths the project already roots. With an out-link, a remembered build
   * (nix/build-memo.ts) is used only when its outputs are among them: without Nix making the
   * out-link, nothing else keeps them from a concurrent GC. No out-link and no set: never remembered.
   */
  rooted?: ReadonlySet<string>;
}

export function buildArgs(ctx: NixContext, installables: string[], options: BuildOptions = {}): string[] {
  return [
    ...COMMON_ARGS,
    "build",
    ...installables.map((a) => (a.startsWith("/") ? a : flakeRef(a))),
    ...(options.outLink ? ["--out-link", options.outLink] : ["--no-link"]),
    "--json",
    "--log-format",
    "internal-json",
    ...(options.keepGoing ? ["--keep-going"] : []),
    ...(options.rebuild ? ["--rebuild", "--keep-failed"] : []),
    ...(options.maxJobs ? ["--max-jobs", options.maxJobs] : []),
    ...(options.extraArgs ?? []),
    ...downloadTimeoutArgs(ctx),
    ...sandboxArgs(ctx),
    ...overrideArgs(ctx),
  ];
}

/** The shell's one cold-path call; its --profile is the GC root of the environment. */
export function printDevEnvArgs(ctx: NixContext, profile: string, extraArgs: string[] = []): string[] {
  return [
    ...COMMON_ARGS,
    "print-dev-env",
    flakeRef(),
    ...downloadTimeoutArgs(ctx),
    ...sandboxArgs(ctx),
    ...overrideArgs(ctx),
    ...extraArgs,
    "--json",
    "--profile",
    profile,
  ];
}

export function lockArgs(updateInputs: string[], features: Pick<NixFeatures, "flakeUpdateInputs">): string[] {
  if (updateInputs.length && features.flakeUpdateInputs) return [...COMMON_ARGS, "flake", "update", ...updateInputs, "--flake", flakeRef()];
  return [...COMMON_ARGS, "flake", "lock", flakeRef(), ...updateInputs.flatMap((i) => ["--update-input", i])];
}

/** Whether flake.lock is complete and current: fails rather than write it. */
export const flakeMetadataArgs = (): string[] => [...COMMON_ARGS, "flake", "metadata", flakeRef(), "--json", "--no-update-lock-file"];

/** Registers indirect GC roots: `link`, `link-1`, … point at the store paths and keep them alive. */
export function addRootArgs(storePaths: string[], link: string): string[] {
  return [...COMMON_ARGS, "build", ...storePaths, "--out-link", link];
}

/** One `nix eval` of the output paths of several attributes of one attribute set, in order. */
export function outPathArgs(ctx: NixContext, setAttr: string, names: string[]): string[] {
  const list = names.map((n) => `set.${JSON.stringify(n)}.outPath`).join(" ");
  return [...COMMON_ARGS, "eval", "--json", flakeRef(setAttr), "--apply", `set: [ ${list} ]`, ...overrideArgs(ctx)];
}

/** One `nix eval --json` of a flake attribute. */
export function evalJsonArgs(ctx: NixContext, attr: string): string[] {
  return [...COMMON_ARGS, "eval", "--json", flakeRef(attr), ...overrideArgs(ctx)];
}

const jsonFormatArgs = (features: Pick<NixFeatures, "pathInfoJsonFormat">) => (features.pathInfoJsonFormat ? ["--json-format", "1"] : []);

/** Validity in the local store, or in `store` (a binary cache URL); --offline keeps substituters out of it. */
export function pathInfoArgs(storePaths: string[], features: Pick<NixFeatures, "pathInfoJsonFormat">, store?: string): string[] {
  return [
    ...COMMON_ARGS,
    "path-info",
    "--json",
    ...jsonFormatArgs(features),
    "--offline",
    ...(store ? ["--store", store] : []),
    ...storePaths,
  ];
}

export function closureArgs(storePath: string, features: Pick<NixFeatures, "pathInfoJsonFormat">): string[] {
  return [...COMMON_ARGS, "path-info", "--json", ...jsonFormatArgs(features), "--recursive", storePath];
}

/** Copies paths and their closures to a binary cache (settings such as the signing key ride in the URL). */
export const copyToArgs = (storeUrl: string, storePaths: string[]): string[] => [...COMMON_ARGS, "copy", "--to", storeUrl, ...storePaths];

/** Adds signatures by the key to paths (and their closures) already in `store`. */
export const signArgs = (store: string, keyFile: string, storePaths: string[]): string[] => [
  ...COMMON_ARGS,
  "store",
  "sign",
  "--store",
  store,
  "--key-file",
  keyFile,
  "--recursive",
  ...storePaths,
];

// Nix remembers what a cache URL served (narinfo, for 30 days; a miss, for an hour) in the user's
// ~/.cache/nix: a pull asks the cache itself, since a cache wiped and filled again (or another
// server on the same URL) serves NARs under other names, which the memory would still name.
const FRESH_NARINFO = ["--option", "narinfo-cache-positive-ttl", "0", "--option", "narinfo-cache-negative-ttl", "0"];

/** Copies paths (and their closures) from a binary cache, trusting `publicKeys`' signatures. */
export function copyFromArgs(from: string, storePaths: string[], publicKeys: string[], store?: string): string[] {
  const trust = publicKeys.length ? ["--option", "extra-trusted-public-keys", publicKeys.join(" ")] : [];
  return [...COMMON_ARGS, "copy", "--from", from, ...trust, ...FRESH_NARINFO, ...(store ? ["--to", store] : []), ...storePaths];
}

export const storeGcArgs = (): string[] => [...COMMON_ARGS, "store", "gc"];

export const keyGenerateArgs = (name: string): string[] => [...COMMON_ARGS, "key", "generate-secret", "--key-name", name];
/** Reads the secret key on stdin. */
export const keyToPublicArgs = (): string[] => [...COMMON_ARGS, "key", "convert-secret-to-public"];

export const versionArgs = (): string[] => ["--version"];
export const storeInfoArgs = (): string[] => [...COMMON_ARGS, "store", "info", "--json"];
/** Opens `store` and asks its version: `store info` from 2.19, `store ping` before. */
export const storePingArgs = (store: string, features: Pick<NixFeatures, "storeInfo">): string[] => [
  ...COMMON_ARGS,
  "store",
  features.storeInfo ? "info" : "ping",
  "--store",
  store,
];
export const showConfigArgs = (features: Pick<NixFeatures, "configShow">): string[] => [
  ...COMMON_ARGS,
  ...(features.configShow ? ["config", "show"] : ["show-config"]),
  "--json",
];
/** Prints `true` when flakes are usable. */
export const flakesProbeArgs = (): string[] => [...COMMON_ARGS, "eval", "--json", "--expr", "builtins ? getFlake"];

/** Options that add a binary cache for one call, trusting its keys. */
export function substituterArgs(url: string, publicKeys: string[]): string[] {
  return [
    "--option",
    "extra-substituters",
    url,
    ...(publicKeys.length ? ["--option", "extra-trusted-public-keys", publicKeys.join(" ")] : []),
  ];
}

/** Remote builders: a builders string, or "@FILE" for a machines file. */
export const buildersArgs = (spec: string): string[] => ["--option", "builders", spec];

/** Substitute only: build nothing here (what the cache serves now, not what it served). */
export const substituteOnlyArgs = (store?: string): string[] => ["--max-jobs", "0", ...FRESH_NARINFO, ...(store ? ["--store", store] : [])];

/** The legacy `nix-store` queries the GC estimate needs (the new CLI has no equivalent). */
export const nixStoreArgs = {
  printRoots: (): string[] => ["--gc", "--print-roots"],
  printDead: (): string[] => ["--gc", "--print-dead"],
  requisites: (storePaths: string[]): string[] => ["--query", "--requisites", ...storePaths],
  /** Adds a directory by content (its NAR's sha256), as a fixed-output derivation would have made it. */
  addFixed: (dir: string): string[] => ["--add-fixed", "--recursive", "sha256", dir],
  /** Adds files by their flat hash (`algorithm`: sha512, sha1), as fixed-output fetches name them. */
  addFixedFiles: (algorithm: string, files: string[]): string[] => ["--add-fixed", algorithm, ...files],
  narHash: (storePath: string): string[] => ["--query", "--hash", storePath],
};
