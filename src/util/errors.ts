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
