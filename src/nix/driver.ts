// The Nix driver: the only module that spawns `nix`.
import { execa, type ResultPromise } from "execa";
import path from "node:path";
import { EnvError, Interrupted, WorkFailed } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import {
  addRootArgs,
  buildArgs,
  closureArgs,
  COMMON_ARGS,
  lockArgs,
  outPathArgs,
  pathInfoArgs,
  type BuildOptions,
  type NixContext,
} from "./args.js";
import { stripAnsi } from "./internal-json.js";
import { cachedNixVersion } from "./version-cache.js";
import { BuildMonitor, type FinishedBuild } from "./progress.js";
import { featuresOf, isSupported, MIN_NIX, type NixFeatures, type NixVersion } from "./version.js";

export interface BuiltPath {
  drvPath: string;
  outputs: Record<string, string>;
}

export interface BuildOutcome {
  /** Per installable, in order; empty when nix failed (it prints no JSON then). */
  built: BuiltPath[];
  /** Derivations whose builders ran and succeeded in this invocation (the rest were cached). */
  ran: FinishedBuild[];
  /** Derivations whose builders failed. */
  failed: string[];
  /** --rebuild: derivations whose new output differs from the one in the store. */
  differing: string[];
  warnings: string[];
  logOf(drvPath: string): string[];
  error?: NixFailed;
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
  /** Options every build gets: the manifest's binary cache when it answers (cache/substituters.ts). */
  private buildOptions: string[] = [];
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
      const version = await cachedNixVersion(this.nix, async () => {
        const result = await this.capture(["--version"]);
        if (result.exitCode !== 0)
          throw new EnvError(`could not read the Nix version from \`nix --version\`: ${result.stdout}${result.stderr}`);
        return result.stdout;
      });
      if (!version) throw new EnvError("could not read the Nix version from `nix --version`");
      if (!isSupported(version)) {
        throw new EnvError(`Nix ${version.major}.${version.minor} is too old; nixkit needs Nix ${MIN_NIX.major}.${MIN_NIX.minor} or newer`);
      }
      return { version, features: featuresOf(version) };
    })());
  }

  /** Runs nix and returns its output; never throws for a non-zero exit. */
  async capture(args: string[], cwd = this.ctx.projectDir, input?: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
    this.options.logger.debug(`$ nix ${args.join(" ")}`);
    try {
      const result = await execa(this.nix, args, {
        cwd,
        reject: false,
        ...(input === undefined ? { stdin: "ignore" as const } : { input }),
        cancelSignal: this.options.signal,
      });
      if (result.isCanceled) throw new Interrupted();
      if ((result as { code?: string }).code === "ENOENT") throw nixMissing();
      return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? 1 };
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") throw nixMissing();
      throw error;
    }
  }

  /** Builds and throws on any failure, showing the failing derivations' logs. */
  async build(attrs: string[], options: BuildOptions = {}): Promise<BuiltPath[]> {
    const outcome = await this.buildAll(attrs, options);
    if (outcome.error) {
      this.showFailedLogs(outcome);
      throw outcome.error;
    }
    return outcome.built;
  }

  useForBuilds(args: string[]): void {
    this.buildOptions = args;
  }

  /** Builds in one nix invocation and reports what happened instead of throwing for build failures. */
  async buildAll(attrs: string[], options: BuildOptions = {}): Promise<BuildOutcome> {
    await this.detect();
    const monitor = new BuildMonitor(this.options.logger);
    const result = await this.followed(
      buildArgs(this.ctx, attrs, { ...options, extraArgs: [...this.buildOptions, ...(options.extraArgs ?? [])] }),
      monitor,
    );
    const failed = monitor.failedDerivations();
    const outcome: BuildOutcome = {
      built: [],
      ran: monitor.finished.filter((b) => !failed.includes(b.drvPath)),
      failed,
      differing: monitor.differingDerivations(),
      warnings: monitor.warnings,
      logOf: (drv) => monitor.logOf(drv),
    };
    if (result.exitCode === 0) outcome.built = JSON.parse(result.stdout) as BuiltPath[];
    else outcome.error = failure("build", monitor.errors.join("\n") || result.stderr);
    return outcome;
  }

  /** The last lines (all with -v) of each failed derivation's log. */
  showFailedLogs(outcome: BuildOutcome): void {
    const logger = this.options.logger;
    for (const drvPath of outcome.failed) {
      const log = outcome.logOf(drvPath);
      const shown = logger.level === "verbose" ? log : log.slice(-LOG_TAIL_LINES);
      logger.error(`${drvPath} failed; ${shown.length < log.length ? `last ${shown.length} of ${log.length}` : "all"} log lines:`);
      for (const line of shown) logger.info(`  > ${line}`);
    }
  }

  /** Registers GC roots `link`, `link-1`, … for store paths that already exist. */
  async addRoots(storePaths: string[], link: string): Promise<void> {
    if (storePaths.length === 0) return;
    const result = await this.capture(addRootArgs(storePaths, link));
    if (result.exitCode !== 0) throw failure("build (gc root)", stripAnsi(result.stderr));
  }

  /** The output paths of some attributes of a flake attribute set, by evaluation only. */
  private async outPaths(setAttr: string, names: string[]): Promise<string[]> {
    await this.detect();
    const result = await this.capture(outPathArgs(this.ctx, setAttr, names));
    if (result.exitCode !== 0) throw failure("eval", stripAnsi(result.stderr));
    return JSON.parse(result.stdout) as string[];
  }

  /** After a failed build (which prints no JSON): each attribute's output path, if it exists now. */
  async existingOutPaths(setAttr: string, names: string[]): Promise<(string | undefined)[]> {
    const expected = await this.outPaths(setAttr, names);
    const valid = await this.validPaths(expected);
    return expected.map((p) => (valid.has(p) ? p : undefined));
  }

  /** Every path in the closure of `storePath`, with its narHash, narSize and references. */
  async closure(storePath: string): Promise<{ path: string; narHash: string; narSize: number; references: string[] }[]> {
    const { features } = await this.detect();
    const result = await this.capture(closureArgs(storePath));
    if (result.exitCode !== 0) throw failure("path-info", stripAnsi(result.stderr));
    const json = JSON.parse(result.stdout) as unknown;
    // A list of infos before Nix 2.19, a map from path to info from 2.19 on.
    const infos = features.pathInfoJsonMap
      ? Object.entries(json as Record<string, { narHash: string; narSize: number; references: string[] }>).map(([path, info]) => ({
          ...info,
          path,
        }))
      : (json as { path: string; narHash: string; narSize: number; references: string[] }[]);
    return infos.map(({ path, narHash, narSize, references }) => ({ path, narHash, narSize, references }));
  }

  /** Runs the legacy `nix-store` beside the `nix` binary (for --gc --print-roots/--print-dead, --query). */
  async nixStore(args: string[]): Promise<string> {
    const binary = this.nix.includes("/") ? path.join(path.dirname(this.nix), "nix-store") : "nix-store";
    this.options.logger.debug(`$ nix-store ${args.join(" ")}`);
    const result = await execa(binary, args, {
      reject: false,
      stdin: "ignore",
      cancelSignal: this.options.signal,
      maxBuffer: 256 * 1024 * 1024,
    });
    if (result.isCanceled) throw new Interrupted();
    if (result.exitCode !== 0) throw failure(`nix-store ${args[0]}`, stripAnsi(String(result.stderr)));
    return String(result.stdout);
  }

  /** `nix store gc`; returns Nix's own summary line ("N store paths deleted, X MiB freed"). */
  async collectGarbage(): Promise<string> {
    await this.detect();
    const result = await this.capture([...COMMON_ARGS, "store", "gc"]);
    if (result.exitCode !== 0) throw failure("store gc", stripAnsi(result.stderr));
    return (
      stripAnsi(`${result.stderr}\n${result.stdout}`)
        .split("\n")
        .find((l) => /store paths deleted/.test(l))
        ?.trim() ?? "0 store paths deleted, 0.00 MiB freed"
    );
  }

  /** narSize of each valid path among `storePaths`. */
  async narSizes(storePaths: string[]): Promise<Map<string, number>> {
    const { features } = await this.detect();
    const sizes = new Map<string, number>();
    for (let i = 0; i < storePaths.length; i += 2000) {
      const result = await this.capture(pathInfoArgs(storePaths.slice(i, i + 2000)));
      if (result.exitCode !== 0) throw failure("path-info", stripAnsi(result.stderr));
      const json = JSON.parse(result.stdout) as unknown;
      const infos = features.pathInfoJsonMap
        ? Object.entries(json as Record<string, { narSize: number } | null>).map(([p, info]) => ({ path: p, narSize: info?.narSize }))
        : (json as { path: string; narSize?: number }[]);
      for (const info of infos) if (info.narSize !== undefined) sizes.set(info.path, info.narSize);
    }
    return sizes;
  }

  /** Which of the store paths exist as valid (complete) paths. */
  async validPaths(storePaths: string[], store?: string): Promise<Set<string>> {
    if (storePaths.length === 0) return new Set();
    const { features } = await this.detect();
    const result = await this.capture(pathInfoArgs(storePaths, store));
    if (result.exitCode !== 0) throw failure("path-info", stripAnsi(result.stderr));
    return validFromPathInfo(JSON.parse(result.stdout), features.pathInfoJsonMap);
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

  /** Runs a nix command with internal-json logs through `monitor`, rendering progress. */
  private async followed(args: string[], monitor: BuildMonitor): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    this.options.logger.debug(`$ nix ${args.join(" ")}`);
    const child = execa(this.nix, args, {
      cwd: this.ctx.projectDir,
      reject: false,
      stdin: "ignore",
      cancelSignal: this.options.signal,
      lines: false,
    });
    let pending = "";
    let stderr = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf("\n")) !== -1) {
        const line = pending.slice(0, newline);
        if (!line.startsWith("@nix ")) stderr += line + "\n";
        monitor.feed(line);
        pending = pending.slice(newline + 1);
      }
    });
    const result = await awaitChild(child);
    if (pending) monitor.feed(pending);
    monitor.close();
    if (result.isCanceled) throw new Interrupted();
    return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr };
  }
}

// `nix path-info --json` lists paths ({path, valid: false} for invalid ones) before 2.19, and maps
// each path to its info (null when invalid) from 2.19 on.
export function validFromPathInfo(json: unknown, isMap: boolean): Set<string> {
  if (isMap)
    return new Set(
      Object.entries(json as Record<string, unknown>)
        .filter(([, info]) => info !== null)
        .map(([p]) => p),
    );
  return new Set((json as { path: string; valid?: boolean }[]).filter((i) => i.valid !== false).map((i) => i.path));
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
  const firstError =
    nixMessage
      .split("\n")
      .find((l) => l.trim().startsWith("error:"))
      ?.trim() ??
    nixMessage.trim().split("\n")[0] ??
    "";
  return new NixFailed(`nix ${what} failed: ${firstError.replace(/^error: /, "")}`, nixMessage);
}

const nixMissing = () =>
  new EnvError("nix is not installed or not on PATH (Debian: `apt-get install nix-bin`; others: https://nixos.org/download)");
