// The Nix driver: the only module that spawns `nix`.
import { execa, type ResultPromise } from "execa";
import { EnvError, Interrupted, WorkFailed } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import { addRootArgs, buildArgs, lockArgs, type NixContext } from "./args.js";
import { stripAnsi } from "./internal-json.js";
import { BuildMonitor } from "./progress.js";
import { featuresOf, isSupported, MIN_NIX, parseNixVersion, type NixFeatures, type NixVersion } from "./version.js";

export interface BuiltPath {
  drvPath: string;
  outputs: Record<string, string>;
}

/** A nix command failed; `nixMessage` is Nix's own error text without colours. */
export class NixFailed extends WorkFailed {
  constructor(
    message: string,
    readonly nixMessage: string,
  ) {
    super(message);
  }
}

const LOG_TAIL_LINES = 50;

export interface DriverOptions extends Omit<NixContext, "canSetSandbox"> {
  logger: Logger;
  signal?: AbortSignal;
  nixBinary?: string;
}

export class NixDriver {
  private detected: Promise<{ version: NixVersion; features: NixFeatures }> | undefined;
  readonly ctx: NixContext;

  constructor(private readonly options: DriverOptions) {
    this.ctx = { ...options, canSetSandbox: process.getuid?.() === 0 };
  }

  private get nix(): string {
    return this.options.nixBinary ?? process.env.NIXKIT_NIX ?? "nix";
  }

  /** Detects the Nix version once per run; fails with exit 3 when Nix is missing or too old. */
  detect(): Promise<{ version: NixVersion; features: NixFeatures }> {
    return (this.detected ??= (async () => {
      const result = await this.capture(["--version"]);
      const version = parseNixVersion(result.stdout);
      if (result.exitCode !== 0 || !version) throw new EnvError(`could not read the Nix version from \`nix --version\`: ${result.stdout}${result.stderr}`);
      if (!isSupported(version)) {
        throw new EnvError(`Nix ${version.major}.${version.minor} is too old; nixkit needs Nix ${MIN_NIX.major}.${MIN_NIX.minor} or newer`);
      }
      return { version, features: featuresOf(version) };
    })());
  }

  /** Runs nix and returns its output; never throws for a non-zero exit. */
  async capture(args: string[], cwd = this.ctx.projectDir): Promise<{ stdout: string; stderr: string; exitCode: number }> {
    this.options.logger.debug(`$ nix ${args.join(" ")}`);
    try {
      const result = await execa(this.nix, args, { cwd, reject: false, stdin: "ignore", cancelSignal: this.options.signal });
      if (result.isCanceled) throw new Interrupted();
      if ((result as { code?: string }).code === "ENOENT") throw nixMissing();
      return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? 1 };
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") throw nixMissing();
      throw error;
    }
  }

  async build(attrs: string[], outLink?: string): Promise<BuiltPath[]> {
    await this.detect();
    const stdout = await this.followed(buildArgs(this.ctx, attrs, outLink), "build");
    return JSON.parse(stdout) as BuiltPath[];
  }

  async addRoot(storePath: string, link: string): Promise<void> {
    const result = await this.capture(addRootArgs(storePath, link));
    if (result.exitCode !== 0) throw failure("build (gc root)", stripAnsi(result.stderr));
  }

  async lock(updateInputs: string[]): Promise<void> {
    await this.detect();
    await this.interactive(lockArgs(this.ctx, updateInputs), "flake lock");
  }

  /** A nix command with the terminal handed over (it may prompt or print progress itself). */
  private async interactive(args: string[], what: string): Promise<void> {
    this.options.logger.debug(`$ nix ${args.join(" ")}`);
    const child = execa(this.nix, args, { cwd: this.ctx.projectDir, stdio: "inherit", reject: false, cancelSignal: this.options.signal });
    const result = await awaitChild(child);
    if (result.isCanceled) throw new Interrupted();
    if (result.exitCode !== 0) throw new NixFailed(`nix ${what} failed`, "");
  }

  /** Runs a nix command with internal-json logs, rendering progress; returns stdout. */
  private async followed(args: string[], what: string): Promise<string> {
    const logger = this.options.logger;
    logger.debug(`$ nix ${args.join(" ")}`);
    const monitor = new BuildMonitor(logger);
    const child = execa(this.nix, args, { cwd: this.ctx.projectDir, reject: false, stdin: "ignore", cancelSignal: this.options.signal, lines: false });
    let stderrBuffer = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderrBuffer += chunk;
      let newline: number;
      while ((newline = stderrBuffer.indexOf("\n")) !== -1) {
        monitor.feed(stderrBuffer.slice(0, newline));
        stderrBuffer = stderrBuffer.slice(newline + 1);
      }
    });
    const result = await awaitChild(child);
    if (stderrBuffer) monitor.feed(stderrBuffer);
    monitor.close();
    if (result.isCanceled) throw new Interrupted();
    if (result.exitCode === 0) return String(result.stdout);

    for (const drvPath of monitor.failedDerivations()) {
      const log = monitor.logOf(drvPath);
      const shown = logger.level === "verbose" ? log : log.slice(-LOG_TAIL_LINES);
      logger.error(`${drvPath} failed; ${shown.length < log.length ? `last ${shown.length} of ${log.length}` : "all"} log lines:`);
      for (const line of shown) logger.info(`  > ${line}`);
    }
    throw failure(what, monitor.errors.join("\n") || String(result.stderr));
  }
}

async function awaitChild(child: ResultPromise) {
  try {
    return await child;
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") throw nixMissing();
    throw error;
  }
}

function failure(what: string, nixMessage: string): NixFailed {
  const firstError = nixMessage.split("\n").find((l) => l.trim().startsWith("error:"))?.trim() ?? nixMessage.trim().split("\n")[0] ?? "";
  return new NixFailed(`nix ${what} failed: ${firstError.replace(/^error: /, "")}`, nixMessage);
}

const nixMissing = () =>
  new EnvError("nix is not installed or not on PATH (Debian: `apt-get install nix-bin`; others: https://nixos.org/download)");

