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

export function buildArgs(ctx: NixContext, attrs: string[], outLink?: string): string[] {
  return [
    ...COMMON_ARGS,
    "build",
    ...attrs.map((a) => flakeRef(ctx, a)),
    ...(outLink ? ["--out-link", outLink] : ["--no-link"]),
    "--json",
    "--log-format",
    "internal-json",
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

/** Registers an indirect GC root: `link` points at `storePath` and keeps it alive. */
export function addRootArgs(storePath: string, link: string): string[] {
  return [...COMMON_ARGS, "build", storePath, "--out-link", link];
}
