// The Nix driver: every nix call nixkit makes, as a typed method. Argv comes from args.ts,
// processes from process.ts; substituters and builders are fixed here once per run, so
// every call that can build or substitute gets the same ones.
import type { Logger } from "../util/logger.js";
import {
  addRootArgs,
  buildArgs,
  buildersArgs,
  copyFromArgs,
  copyToArgs,
  evalJsonArgs,
  flakeMetadataArgs,
  flakesProbeArgs,
  keyGenerateArgs,
  keyToPublicArgs,
  lockArgs,
  outPathArgs,
  printDevEnvArgs,
  showConfigArgs,
  storeInfoArgs,
  storePingArgs,
  signArgs,
  storeGcArgs,
  substituteOnlyArgs,
  substituterArgs,
  versionArgs,
  type BuildOptions,
  type NixContext,
} from "./args.js";
import { canSetSandbox } from "./binary.js";
import { stripAnsi } from "./internal-json.js";
import { printDevEnv, type DevEnvResult } from "./print-dev-env.js";
import { namesManifestField, nixFailure, nixReason, NixProcess, sshReason, type NixFailed } from "./process.js";
import { reportFailedBuilds } from "./build-failures.js";
import { BuildMonitor, type FinishedBuild } from "./progress.js";
import { NixStoreQueries } from "./store.js";
import { reachableSubstituters, substitutersArgs, untrustedExplanation, usableCacheArgs, type BinaryCache } from "./substituters.js";
import { cachedConfiguration } from "./config-cache.js";
import { BuildMemo } from "./build-memo.js";
import { detectVersion } from "./version-cache.js";
import { gitPathProblem, type NixFeatures, type NixVersion } from "./version.js";
import { EnvError } from "../util/errors.js";
import { gitRootOf } from "../util/git.js";

export { NixFailed } from "./process.js";

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
  /** The remote builder a derivation was sent to. */
  machineOf(drvPath: string): string | undefined;
  error?: NixFailed;
}

/**
 * How this run builds, fixed when the driver is made: the project's binary cache (probed on the
 * first call that can substitute, at most once), remote builders (a builders string or
 * "@machines-file") and -j (a number or "auto"; Nix's own default is 1).
 */
export interface BuildSettings {
  binaryCache?: BinaryCache;
  builders?: string;
  maxJobs?: string;
}

export interface DriverOptions {
  projectDir: string;
  nixpkgsOverride?: string;
  logger: Logger;
  signal?: AbortSignal;
  nixBinary?: string;
}

/** `nix store info --json`: {"trusted":true,"url":"daemon","version":"2.26.3"}. */
export interface StoreInfo {
  url?: string;
  version?: string;
  trusted?: boolean;
}

/** What a driver and the drivers configured from it share: one nix process runner, one detection, one configuration read. */
class NixRuntime {
  readonly process: NixProcess;
  detected: Promise<{ version: NixVersion; features: NixFeatures }> | undefined;
  configuration: Promise<Record<string, unknown>> | undefined;
  info: Promise<StoreInfo | undefined> | undefined;
  readonly memo: BuildMemo;
  constructor(options: DriverOptions) {
    this.process = new NixProcess({ cwd: options.projectDir, logger: options.logger, signal: options.signal, binary: options.nixBinary });
    this.memo = new BuildMemo(options.projectDir, this.process.binary, options.nixpkgsOverride);
  }
}

/** A build answered from the memo: everything cached, nothing ran. */
const recalledOutcome = (built: BuiltPath[]): BuildOutcome => ({
  built,
  ran: [],
  failed: [],
  differing: [],
  warnings: [],
  logOf: () => [],
  machineOf: () => undefined,
});

export class NixDriver {
  readonly ctx: NixContext;
  readonly store: NixStoreQueries;
  private readonly runtime: NixRuntime;
  private readonly process: NixProcess;
  private readonly builderArgs: string[];
  private cacheArgs: Promise<string[]> | undefined;

  constructor(
    private readonly options: DriverOptions,
    readonly settings: Readonly<BuildSettings> = {},
    runtime?: NixRuntime,
  ) {
    this.ctx = { projectDir: options.projectDir, nixpkgsOverride: options.nixpkgsOverride, canSetSandbox: canSetSandbox() };
    this.runtime = runtime ?? new NixRuntime(options);
    this.process = this.runtime.process;
    this.store = new NixStoreQueries(this.process, () => this.detect());
    this.builderArgs = settings.builders ? buildersArgs(settings.builders) : [];
  }

  /** A driver for a run with these settings, sharing this one's detection and configuration. */
  configured(settings: BuildSettings): NixDriver {
    return new NixDriver(this.options, Object.freeze({ ...settings }), this.runtime);
  }

  private untrustedExplained = false;

  /** Said once per run: the project's cache is silently unused when the daemon does not trust this user. */
  private explainUntrusted(said: string[]): void {
    if (this.untrustedExplained) return;
    this.untrustedExplained = true;
    for (const message of untrustedExplanation(said, this.settings.binaryCache)) this.options.logger.warn(message);
  }

  /** The project's cache when it answers, and the configured substituters less those that do not. */
  private substituterOptions(): Promise<string[]> {
    return (this.cacheArgs ??= (async () => {
      const configured = await this.configuredSubstituters();
      const reachable = configured.length ? await reachableSubstituters(configured, this.options.logger) : undefined;
      return [
        ...(reachable ? substitutersArgs(reachable) : []),
        ...(await usableCacheArgs(this.settings.binaryCache, this.options.logger)),
      ];
    })());
  }

  private async configuredSubstituters(): Promise<string[]> {
    const value = await this.setting("substituters");
    return Array.isArray(value) ? value.map(String) : [];
  }

  /** A setting of Nix's configuration as this Nix reports it (read once per run, remembered per configuration). */
  async setting(name: string): Promise<unknown> {
    this.runtime.configuration ??= cachedConfiguration(this.process.binary, () => this.readConfiguration());
    return (await this.runtime.configuration)[name];
  }

  /** Every setting's value, as `nix config show --json` reports it (with `env` added to Nix's); undefined when Nix does not say. */
  private async readConfiguration(env: NodeJS.ProcessEnv = {}): Promise<Record<string, unknown> | undefined> {
    const result = await this.process.capture(showConfigArgs((await this.detect()).features), undefined, env);
    try {
      const parsed = JSON.parse(result.stdout) as Record<string, { value: unknown }>;
      return Object.fromEntries(Object.entries(parsed).map(([name, entry]) => [name, entry.value]));
    } catch {
      return undefined;
    }
  }

  /** The store Nix talks to (a daemon's version and trust in this user), where Nix can say (2.19+). */
  storeInfo(): Promise<StoreInfo | undefined> {
    return (this.runtime.info ??= (async () => {
      if (!(await this.detect()).features.storeInfo) return undefined;
      const result = await this.process.capture(storeInfoArgs());
      if (result.exitCode !== 0) return undefined;
      try {
        return JSON.parse(result.stdout) as StoreInfo;
      } catch {
        return undefined;
      }
    })());
  }

  /** Detects the Nix version once per run; fails with exit 3 when Nix is missing or too old. */
  detect(): Promise<{ version: NixVersion; features: NixFeatures }> {
    return (this.runtime.detected ??= detectVersion(this.process.binary, () => this.process.capture(versionArgs())).then((detected) => {
      const problem = gitPathProblem(detected.version, gitRootOf(this.ctx.projectDir));
      if (problem) throw new EnvError(problem);
      return detected;
    }));
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

  /**
   * Builds in one nix invocation and reports what happened instead of throwing for build failures;
   * no nix at all when the same attributes were built from the same inputs (nix/build-memo.ts).
   */
  async buildAll(attrs: string[], options: BuildOptions = {}): Promise<BuildOutcome> {
    const memorable = !options.rebuild && !attrs.some((a) => a.startsWith("/")) && (!options.outLink || options.rooted);
    const memo = memorable ? this.runtime.memo : undefined;
    const before = memo?.key();
    const recalled = before === undefined ? undefined : memo!.recall(before, attrs, options.outLink ? options.rooted : undefined);
    if (recalled) {
      this.options.logger.debug(`(no nix build: ${attrs.join(" ")} were built from these inputs, and are in the store)`);
      return recalledOutcome(recalled);
    }
    const outcome = await this.runBuild(attrs, options, await this.substituterOptions());
    if (before !== undefined && !outcome.error && memo!.key() === before) memo!.remember(before, attrs, outcome.built);
    return outcome;
  }

  /** Substitutes the outputs of `attrs` from `cache` alone (or fails), building nothing here. */
  substitute(attrs: string[], cache: BinaryCache, store?: string): Promise<BuildOutcome> {
    // A refused cache is the caller's error to report (cache pull says why): no warning first.
    return this.runBuild(
      attrs,
      { keepGoing: true, extraArgs: substituteOnlyArgs(store) },
      substituterArgs(cache.url, cache.publicKeys),
      false,
    );
  }

  private async runBuild(attrs: string[], options: BuildOptions, substituters: string[], explainTrust = true): Promise<BuildOutcome> {
    const { features } = await this.detect();
    const evalCache = features.concurrentEvalCache ? [] : ["--option", "eval-cache", "false"];
    const extraArgs = [...substituters, ...this.builderArgs, ...evalCache, ...(options.extraArgs ?? [])];
    const maxJobs = options.maxJobs ?? this.settings.maxJobs;
    const monitor = new BuildMonitor(this.options.logger);
    const result = await this.process
      .followed(buildArgs(this.ctx, attrs, { ...options, maxJobs, extraArgs }), (line) => monitor.feed(line))
      .finally(() => monitor.close());
    if (monitor.untrusted.length && explainTrust) this.explainUntrusted(monitor.untrusted);
    const failed = monitor.failedDerivations();
    const outcome: BuildOutcome = {
      built: [],
      ran: monitor.finished.filter((b) => !failed.includes(b.drvPath)),
      failed,
      differing: monitor.differingDerivations(),
      warnings: [...monitor.warnings, ...monitor.untrusted],
      logOf: (drv) => monitor.logOf(drv),
      machineOf: (drv) => monitor.machineOf(drv),
    };
    if (result.exitCode === 0) outcome.built = JSON.parse(result.stdout) as BuiltPath[];
    else outcome.error = nixFailure("build", monitor.errors.join("\n") || result.stderr);
    // A mistake in the manifest, found while evaluating (nothing was built): the caller places
    // it at its line (withManifestErrors), whatever it was building.
    if (outcome.error && failed.length === 0 && namesManifestField(outcome.error.nixMessage)) throw outcome.error;
    return outcome;
  }

  /** What failed and why: each failed derivation's log (see nix/build-failures.ts), or Nix's own error. */
  showFailedLogs(outcome: BuildOutcome): void {
    reportFailedBuilds(outcome, this.options.logger);
  }

  /** Registers GC roots `link`, `link-1`, … for store paths that already exist. */
  async addRoots(storePaths: string[], link: string): Promise<void> {
    if (storePaths.length === 0) return;
    await this.process.output(addRootArgs(storePaths, link), "build (gc root)");
  }

  /** The output paths of attributes of one attribute set, by evaluation only (nothing is built). */
  async outPaths(setAttr: string, names: string[]): Promise<string[]> {
    await this.detect();
    return JSON.parse(await this.process.output(outPathArgs(this.ctx, setAttr, names), "eval")) as string[];
  }

  /** After a failed build (which prints no JSON): each attribute's output path, if it exists now. */
  async existingOutPaths(setAttr: string, names: string[]): Promise<(string | undefined)[]> {
    const expected = await this.outPaths(setAttr, names);
    const valid = await this.store.validPaths(expected);
    return expected.map((p) => (valid.has(p) ? p : undefined));
  }

  /**
   * The dev shell's environment as JSON, its profile made a GC root; never throws for a Nix error.
   * `substituteFrom`: only substitute, from that cache (nothing is built).
   */
  async printDevEnv(profile: string, substituteFrom?: BinaryCache): Promise<DevEnvResult> {
    await this.detect();
    const extra = substituteFrom
      ? [...substituteOnlyArgs(), ...substituterArgs(substituteFrom.url, substituteFrom.publicKeys)]
      : await this.substituterOptions();
    const args = printDevEnvArgs(this.ctx, profile, extra);
    this.options.logger.debug(`$ nix ${args.join(" ")}`);
    return printDevEnv(this.process.binary, args, this.ctx.projectDir, this.options.signal);
  }

  async lock(updateInputs: string[]): Promise<void> {
    const { features } = await this.detect();
    // Locking fetches inputs, which Nix may substitute from the binary cache.
    await this.process.interactive([...lockArgs(updateInputs, features), ...(await this.substituterOptions())], "flake lock");
  }

  /** Undefined when flake.lock is complete and current; otherwise Nix's reason. */
  async lockProblem(): Promise<string | undefined> {
    const { memo } = this.runtime;
    const key = memo.key();
    if (key !== undefined && memo.passed(key, "flake-lock")) return undefined;
    const result = await this.process.capture(flakeMetadataArgs());
    if (result.exitCode !== 0) return stripAnsi(result.stderr).trim().split("\n").at(-1) ?? "";
    if (key !== undefined && memo.key() === key) memo.recordPassed(key, "flake-lock");
    return undefined;
  }

  /** Why `store` (a remote builder's store URL) cannot be opened within `timeoutMs`, or undefined when it answers. */
  async storeProblem(store: string, timeoutMs: number): Promise<string | undefined> {
    const { features } = await this.detect();
    const result = await this.process.capture(storePingArgs(store, features), undefined, {}, timeoutMs);
    if (result.exitCode === 0) return undefined;
    if (result.timedOut) return `no answer within ${timeoutMs / 1000} s`;
    const reason = nixReason(stripAnsi(result.stderr));
    const ssh = sshReason(result.stderr);
    return ssh && !reason.includes(ssh) ? `${reason} (ssh: ${ssh})` : reason;
  }

  /** A flake attribute's value, evaluated (nothing is built). */
  async evalJson(attr: string): Promise<unknown> {
    await this.detect();
    return JSON.parse(await this.process.output(evalJsonArgs(this.ctx, attr), "eval")) as unknown;
  }

  /** Copies store paths and their closures from a binary cache, checking signatures; Nix's error text when it fails. */
  async copyFrom(cache: BinaryCache, storePaths: string[], store?: string): Promise<string | undefined> {
    const result = await this.process.capture(copyFromArgs(cache.url, storePaths, cache.publicKeys, store));
    return result.exitCode === 0 ? undefined : stripAnsi(result.stderr);
  }

  /** Copies store paths and their closures to a binary cache store URL. */
  async copyTo(storeUrl: string, storePaths: string[]): Promise<void> {
    await this.process.output(copyToArgs(storeUrl, storePaths), "copy");
  }

  /** Signs store paths and their closures in `store` (a binary cache URL) with the key. */
  async signInStore(store: string, keyFile: string, storePaths: string[]): Promise<void> {
    await this.process.output(signArgs(store, keyFile, storePaths), "store sign");
  }

  /** `nix store gc`; returns Nix's own summary line ("N store paths deleted, X MiB freed"). */
  async collectGarbage(): Promise<string> {
    await this.detect();
    const result = await this.process.capture(storeGcArgs());
    if (result.exitCode !== 0) throw nixFailure("store gc", stripAnsi(result.stderr));
    const summary = stripAnsi(`${result.stderr}\n${result.stdout}`)
      .split("\n")
      .find((l) => /store paths deleted/.test(l));
    return summary?.trim() ?? "0 store paths deleted, 0.00 MiB freed";
  }

  /** A new ed25519 signing key pair named `name`. */
  async generateKey(name: string): Promise<{ secretKey: string; publicKey: string }> {
    const secretKey = (await this.process.output(keyGenerateArgs(name), "key generate-secret")).trim();
    const publicKey = (await this.process.output(keyToPublicArgs(), "key convert-secret-to-public", secretKey)).trim();
    return { secretKey, publicKey };
  }

  /** The public key of a secret key (its file, or the key itself). */
  async publicKeyOf(key: { file: string; secret?: string }): Promise<string> {
    const { readFile } = await import("node:fs/promises");
    const secret = key.secret ?? (await readFile(key.file, "utf8")).trim();
    return (await this.process.output(keyToPublicArgs(), "key convert-secret-to-public", secret)).trim();
  }

  /** Whether nix-command and flakes work; Nix's message when they do not. */
  async flakesProblem(): Promise<string | undefined> {
    const result = await this.process.capture(flakesProbeArgs());
    return result.stdout.trim() === "true" ? undefined : (result.stderr.trim().split("\n")[0] ?? "flakes unavailable");
  }

  /**
   * Settings from the system's nix.conf alone (no user file, no NIX_CONFIG): what a nix-daemon
   * started from it uses, which `nix config show` with the user's own files would not say.
   */
  async systemSettings(): Promise<Record<string, unknown>> {
    return (await this.readConfiguration({ NIX_USER_CONF_FILES: "", NIX_CONFIG: "" })) ?? {};
  }

  /** The effective `sandbox` setting of nix.conf, as Nix reports it. */
  async sandboxSetting(): Promise<string | undefined> {
    const value = await this.setting("sandbox");
    return value === undefined ? undefined : String(value);
  }
}
