// What every command receives: the project directory, the logger, the Nix driver, Ctrl-C.
import { statSync } from "node:fs";
import { NixDriver } from "../nix/driver.js";
import { UserError } from "../util/errors.js";
import { createLogger, type Logger } from "../util/logger.js";
import { findProjectDir } from "../state/project-dir.js";

/** The options every command takes (before the command name). */
export interface GlobalOptions {
  directory?: string;
  nixpkgs?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export interface Session {
  projectDir: string;
  /** Where commands started by `run` and `shell` run: -C DIR when given, else the caller's directory. */
  workDir: string;
  logger: Logger;
  nixpkgsOverride?: string;
  signal: AbortSignal;
  /** The Nix driver, made on first use. */
  nix(): NixDriver;
}

export function createSession(options: GlobalOptions, signal: AbortSignal, env = process.env): Session {
  if (options.directory !== undefined && !statSync(options.directory, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UserError(`-C ${options.directory}: no such directory`);
  }
  const projectDir = findProjectDir(options.directory);
  const logger = createLogger({ level: options.quiet ? "quiet" : options.verbose ? "verbose" : "normal", json: options.json });
  const nixpkgsOverride = options.nixpkgs ?? (env.NIXKIT_NIXPKGS || undefined);
  let driver: NixDriver | undefined;
  return {
    projectDir,
    workDir: options.directory !== undefined ? projectDir : process.cwd(),
    logger,
    nixpkgsOverride,
    signal,
    nix: () => (driver ??= new NixDriver({ projectDir, nixpkgsOverride, logger, signal })),
  };
}
