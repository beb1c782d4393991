// Typed errors; src/main.ts maps them to exit codes (DESIGN.md "CLI contract").
import { accessSync, constants, existsSync } from "node:fs";
import nodePath from "node:path";
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

/**
 * Manifest problems found outside the manifest's own parse (a lockfile a field names), one line
 * each as "nixkit.yaml FIELD: message"; the CLI puts each field's line:col in before printing.
 */
export class FieldError extends UserError {
  constructor(
    message: string,
    readonly manifestText: string,
  ) {
    super(message);
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
  const { path, syscall } = (error ?? {}) as { code?: string; path?: string; syscall?: string };
  let { code } = (error ?? {}) as { code?: string };
  // A recursive mkdir on a read-only file system says ENOENT; the first ancestor that exists tells why.
  if (code === "ENOENT" && syscall === "mkdir" && path) code = ancestorProblem(path) ?? code;
  const known = code ? SYSTEM_ERRORS[code] : undefined;
  if (!known) return undefined;
  const where = path ? `${syscall ?? "write"} ${path}` : (syscall ?? "a file operation");
  return new EnvError(`cannot ${where}: ${known[0]} (${known[1]})`, { cause: error });
}

function ancestorProblem(dir: string): string | undefined {
  let ancestor = nodePath.dirname(dir);
  while (!existsSync(ancestor) && nodePath.dirname(ancestor) !== ancestor) ancestor = nodePath.dirname(ancestor);
  try {
    accessSync(ancestor, constants.W_OK);
    return undefined;
  } catch (cause) {
    return (cause as NodeJS.ErrnoException).code;
  }
}

// Nix's own words when a directory it needs cannot be written (its cache under XDG_CACHE_HOME,
// its SQLite databases there, a profile): the directory, not the command, is the problem.
// SQLite errors read "…: database or disk is full (in '/root/.cache/nix/….sqlite')" (libstore's SQLiteError).
const NIX_DIRECTORY_PROBLEMS: RegExp[] = [
  /creating directory '(?<file>[^']+)': (?<why>Read-only file system|Permission denied|No space left on device|Disk quota exceeded)/,
  /(?<why>database or disk is full|disk I\/O error|attempt to write a readonly database|unable to open database file)[^\n]*\(in '(?<file>[^']+)'\)/,
  /cannot open SQLite database '(?<file>[^']+)'/,
  /(?:opening|creating|writing to|cannot open) (?:lock )?file '(?<file>[^']+)': (?<why>Read-only file system|Permission denied|No space left on device|Disk quota exceeded)/,
];

/** The environment problem (exit 3) in a failed Nix command's message, naming the directory and the fix. */
export function nixEnvironmentError(nixMessage: string, cause: unknown): EnvError | undefined {
  for (const pattern of NIX_DIRECTORY_PROBLEMS) {
    const groups = pattern.exec(nixMessage)?.groups;
    if (!groups) continue;
    const dir = /\.sqlite$/.test(groups.file!) ? nodePath.dirname(groups.file!) : groups.file!;
    const why = (groups.why ?? "it cannot be opened").toLowerCase();
    return new EnvError(
      `Nix cannot write ${dir}: ${why} (free space there or make it writable, or point XDG_CACHE_HOME at a writable directory with room, then run again)`,
      { cause },
    );
  }
  return undefined;
}
