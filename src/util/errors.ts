// Typed errors; src/main.ts maps them to exit codes (DESIGN.md "CLI contract").
export class NixkitError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad usage or a bad manifest: exit 2. */
export class UserError extends NixkitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 2, options);
  }
}

/** The user's work failed (a build, a test, a `--check` drift): exit 1. */
export class WorkFailed extends NixkitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 1, options);
  }
}

/** The environment is unusable (no Nix, unsupported version, no sandbox): exit 3. */
export class EnvError extends NixkitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 3, options);
  }
}

/** Ctrl-C or SIGTERM: exit 130. */
export class Interrupted extends NixkitError {
  constructor() {
    super("interrupted", 130);
  }
}

const SYSTEM_ERRORS: Record<string, [string, string]> = {
  EROFS: ["the file system is read-only", "run nixkit where it may write, or make that place writable"],
  EACCES: ["permission denied", "check the owner and mode of that path"],
  EPERM: ["operation not permitted", "check the owner and mode of that path"],
  ENOSPC: ["no space left on the device", "free space (`nixkit gc --store`, `nix store gc`) and run again"],
  EDQUOT: ["the disk quota is exceeded", "free space and run again"],
};

/** The environment problem (exit 3) behind a failed file operation, named with its path and fix. */
export function environmentError(error: unknown): EnvError | undefined {
  const { code, path, syscall } = (error ?? {}) as { code?: string; path?: string; syscall?: string };
  const known = code ? SYSTEM_ERRORS[code] : undefined;
  if (!known) return undefined;
  const where = path ? `${syscall ?? "write"} ${path}` : (syscall ?? "a file operation");
  return new EnvError(`cannot ${where}: ${known[0]} (${known[1]})`, { cause: error });
}
