// Pure argv builders for every nix invocation nixkit makes. Never shell strings.
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
export function flakeRef(_ctx: NixContext, attr?: string): string {
  return attr === undefined ? "." : `.#${attr}`;
}

function overrideArgs(ctx: NixContext): string[] {
  // An override must not be written into the project's flake.lock.
  return ctx.nixpkgsOverride ? ["--override-input", "nixpkgs", ctx.nixpkgsOverride, "--no-write-lock-file"] : [];
}

const sandboxArgs = (ctx: NixContext) => (ctx.canSetSandbox ? ["--option", "sandbox", "true"] : []);

export interface BuildOptions {
  /** Out-link base name; several installables get base, base-1, base-2, … (Nix's numbering). */
  outLink?: string;
  /** Build everything that can be built even when something fails. */
  keepGoing?: boolean;
  /** Run builders again for outputs that are already valid, keeping a differing result as <out>.check. */
  rebuild?: boolean;
  /** Builds at once: a number or "auto" (one per core). Nix's own default is 1. */
  maxJobs?: string;
  /** Further nix options (substituters, --store). */
  extraArgs?: string[];
}

export function buildArgs(ctx: NixContext, installables: string[], options: BuildOptions = {}): string[] {
  return [
    ...COMMON_ARGS,
    "build",
    ...installables.map((a) => (a.startsWith("/") ? a : flakeRef(ctx, a))),
    ...(options.outLink ? ["--out-link", options.outLink] : ["--no-link"]),
    "--json",
    "--log-format",
    "internal-json",
    ...(options.keepGoing ? ["--keep-going"] : []),
    ...(options.rebuild ? ["--rebuild", "--keep-failed"] : []),
    ...(options.maxJobs ? ["--max-jobs", options.maxJobs] : []),
    ...(options.extraArgs ?? []),
    ...sandboxArgs(ctx),
    ...overrideArgs(ctx),
  ];
}

/** `nix develop` / `nix print-dev-env` on the project's default dev shell. */
export function developBaseArgs(ctx: NixContext, verb: "develop" | "print-dev-env"): string[] {
  return [...COMMON_ARGS, verb, flakeRef(ctx), ...sandboxArgs(ctx), ...overrideArgs(ctx)];
}

export function lockArgs(ctx: NixContext, updateInputs: string[]): string[] {
  return [...COMMON_ARGS, "flake", "lock", flakeRef(ctx), ...updateInputs.flatMap((i) => ["--update-input", i])];
}

/** Registers indirect GC roots: `link`, `link-1`, … point at the store paths and keep them alive. */
export function addRootArgs(storePaths: string[], link: string): string[] {
  return [...COMMON_ARGS, "build", ...storePaths, "--out-link", link];
}

/** One `nix eval` of the output paths of several attributes of one attribute set, in order. */
export function outPathArgs(ctx: NixContext, setAttr: string, names: string[]): string[] {
  const list = names.map((n) => `set.${JSON.stringify(n)}.outPath`).join(" ");
  return [...COMMON_ARGS, "eval", "--json", flakeRef(ctx, setAttr), "--apply", `set: [ ${list} ]`, ...overrideArgs(ctx)];
}

/** Validity in the local store, or in `store` (a binary cache URL); --offline keeps substituters out of it. */
export function pathInfoArgs(storePaths: string[], store?: string): string[] {
  return [...COMMON_ARGS, "path-info", "--json", "--offline", ...(store ? ["--store", store] : []), ...storePaths];
}

export function closureArgs(storePath: string): string[] {
  return [...COMMON_ARGS, "path-info", "--json", "--recursive", storePath];
}
