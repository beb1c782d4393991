// Runs nix and nix-store: the one place (besides the shell's light print-dev-env.ts) that
// starts a Nix process, with node:child_process (execa alone took 25 ms to load on every command).
// Ctrl-C (the AbortSignal) stops it and becomes Interrupted.
import { spawn } from "node:child_process";
import path from "node:path";
import { EnvError, Interrupted, WorkFailed } from "../util/errors.js";
import type { Logger } from "../util/logger.js";
import { nixBinary, siblingBinary } from "./binary.js";
import { stripAnsi } from "./internal-json.js";

/** A nix command failed; `nixMessage` is Nix's own error text without colours. */
export class NixFailed extends WorkFailed {
  constructor(
    message: string,
    readonly nixMessage: string,
  ) {
    super(message);
  }
}

export interface Captured {
  /** The process was stopped after the timeout it was given. */
  timedOut?: boolean;
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ProcessOptions {
  cwd: string;
  logger: Logger;
  signal?: AbortSignal;
  binary?: string;
}

// Nix builds (and what a fixed-output build could ask for) never see the signing key: it reaches
// only `nix copy` and `nix store sign`, through the key file named on their command line.
const nixEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env.NIXKIT_CACHE_SECRET_KEY;
  return env;
};

export class NixProcess {
  readonly binary: string;

  constructor(private readonly options: ProcessOptions) {
    this.binary = options.binary ?? nixBinary();
  }

  /** Runs nix and returns its output; never throws for a non-zero exit. */
  capture(args: string[], input?: string, extraEnv: NodeJS.ProcessEnv = {}, timeoutMs?: number): Promise<Captured> {
    this.options.logger.debug(`$ nix ${args.join(" ")}`);
    return this.spawn(this.binary, args, { input, extraEnv, timeoutMs });
  }

  /** Like capture, but a non-zero exit throws NixFailed naming `what`. */
  async output(args: string[], what: string, input?: string): Promise<string> {
    const result = await this.capture(args, input);
    if (result.exitCode !== 0) throw nixFailure(what, stripAnsi(result.stderr));
    return result.stdout;
  }

  /** The legacy `nix-store` beside the nix binary; a non-zero exit throws. */
  async nixStore(args: string[]): Promise<string> {
    this.options.logger.debug(`$ nix-store ${args.join(" ")}`);
    const result = await this.spawn(siblingBinary("nix-store"), args, { cwd: process.cwd() });
    if (result.exitCode !== 0) throw nixFailure(`nix-store ${args[0]}`, stripAnsi(result.stderr));
    return result.stdout;
  }

  /** A nix command with the terminal handed over (it may prompt or print progress itself). */
  async interactive(args: string[], what: string): Promise<void> {
    this.options.logger.debug(`$ nix ${args.join(" ")}`);
    const result = await this.spawn(this.binary, args, { inherit: true });
    if (result.exitCode !== 0) throw new NixFailed(`nix ${what} failed`, "");
  }

  /** Runs nix, handing each stderr line to `onLine` as it comes (internal-json logs). */
  async followed(args: string[], onLine: (line: string) => void): Promise<Captured> {
    this.options.logger.debug(`$ nix ${args.join(" ")}`);
    let stderr = "";
    const result = await this.spawn(this.binary, args, {
      onStderrLine: (line) => {
        if (!line.startsWith("@nix ")) stderr += line + "\n";
        onLine(line);
      },
    });
    return { ...result, stderr };
  }

  /**
   * One process, its output collected (at most MAX_OUTPUT bytes of each stream). Ctrl-C (the
   * signal) stops it with SIGTERM, then SIGKILL after KILL_AFTER_MS, and becomes Interrupted; a
   * timeout does the same and reports timedOut. As execa did, one final newline is stripped.
   */
  private spawn(command: string, args: string[], how: SpawnHow = {}): Promise<Captured> {
    const { signal } = this.options;
    if (signal?.aborted) return Promise.reject(new Interrupted());
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        cwd: how.cwd ?? this.options.cwd,
        env: { ...nixEnv(), ...how.extraEnv },
        stdio: how.inherit ? "inherit" : [how.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      });
      const stdout = new Collected();
      const stderr = new Collected();
      let pendingLine = "";
      let stopped: "interrupted" | "timedOut" | "overflow" | undefined;
      let killer: NodeJS.Timeout | undefined;
      const stop = (why: NonNullable<typeof stopped>) => {
        if (stopped || child.exitCode !== null) return;
        stopped = why;
        child.kill("SIGTERM");
        killer = setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_MS);
      };
      const onAbort = () => stop("interrupted");
      signal?.addEventListener("abort", onAbort, { once: true });
      const timer = how.timeoutMs ? setTimeout(() => stop("timedOut"), how.timeoutMs) : undefined;
      child.stdout?.on("data", (chunk: Buffer) => stdout.add(chunk) || stop("overflow"));
      child.stderr?.on("data", (chunk: Buffer) => {
        if (!stderr.add(chunk)) stop("overflow");
        if (!how.onStderrLine) return;
        pendingLine += chunk.toString("utf8");
        let newline: number;
        while ((newline = pendingLine.indexOf("\n")) !== -1) {
          how.onStderrLine(pendingLine.slice(0, newline));
          pendingLine = pendingLine.slice(newline + 1);
        }
      });
      if (how.input !== undefined) child.stdin?.end(how.input);
      const done = () => {
        signal?.removeEventListener("abort", onAbort);
        clearTimeout(timer);
        clearTimeout(killer);
      };
      child.on("error", (error: NodeJS.ErrnoException) => {
        done();
        if (error.code === "ENOENT") reject(nixMissing());
        // Not started at all (E2BIG, EACCES…): no stderr then, only the system's reason.
        else reject(new NixFailed(`${path.basename(command)} could not be started: ${error.code} (${error.message})`, ""));
      });
      child.on("close", (code) => {
        done();
        if (pendingLine) how.onStderrLine?.(pendingLine);
        if (stopped === "interrupted") return reject(new Interrupted());
        if (stopped === "overflow")
          return reject(new NixFailed(`${path.basename(command)} printed more than ${MAX_OUTPUT / 1048576} MiB`, ""));
        resolve({ stdout: stdout.text(), stderr: stderr.text(), exitCode: code ?? 1, timedOut: stopped === "timedOut" });
      });
    });
  }
}

interface SpawnHow {
  cwd?: string;
  input?: string;
  extraEnv?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** The terminal's stdin, stdout and stderr, nothing collected. */
  inherit?: boolean;
  onStderrLine?: (line: string) => void;
}

const MAX_OUTPUT = 256 * 1024 * 1024;
const KILL_AFTER_MS = 5000;

/** A stream's bytes, up to MAX_OUTPUT. */
class Collected {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  /** False once the stream is over the limit. */
  add(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.size > MAX_OUTPUT) return false;
    this.chunks.push(chunk);
    return true;
  }
  text(): string {
    return Buffer.concat(this.chunks)
      .toString("utf8")
      .replace(/\r?\n$/, "");
  }
}

/** NixFailed with Nix's own reason as the message. */
export function nixFailure(what: string, nixMessage: string): NixFailed {
  return new NixFailed(`nix ${what} failed: ${nixReason(nixMessage)}`, nixMessage);
}

/**
 * The line that says why Nix failed. Up to 2.8 it is the first `error: …` line. Newer Nix opens an
 * evaluation error with a bare `error:`, then `… while …` frames, then `error: <reason>`; and a
 * failed build says `Cannot build '…'.` with the reason on the next line.
 */
/** Nix's error is one of nix/lib's manifest errors ("nixkit.yaml FIELD: …"), found while evaluating. */
export const namesManifestField = (nixMessage: string): boolean => /^nixkit\.yaml /.test(nixReason(nixMessage));

export function nixReason(nixMessage: string): string {
  const lines = stripAnsi(nixMessage)
    .split("\n")
    .map((l) => l.trim());
  const errors = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^error:/.test(l));
  const first = errors[0];
  if (!first) return lines.find((l) => l !== "") ?? "";
  const chosen =
    first.l === "error:"
      ? (errors.filter(({ l }) => l !== "error:").at(-1) ?? { l: lines.slice(first.i + 1).find((l) => l) ?? "", i: first.i })
      : first;
  const reason = lines[chosen.i + 1]?.startsWith("Reason:") ? ` ${lines[chosen.i + 1]}` : "";
  return `${chosen.l.replace(/^error:\s*/, "")}${reason}`;
}

// What ssh itself said before Nix's "cannot connect": Nix's own line drops it.
const SSH_REASONS = [
  /REMOTE HOST IDENTIFICATION HAS CHANGED/,
  /Host key verification failed\./,
  /No \S+ host key is known for .*/,
  /Permission denied \([^)]*\)\./,
  /ssh: connect to host .*/,
  /ssh: Could not resolve hostname .*/,
  /Connection (refused|timed out|closed by .*)/,
  /Load key .*: .*/,
  /Warning: Identity file .* not accessible: .*/,
];

/** ssh's own reason in a failed store connection's stderr, one line, or undefined. */
export function sshReason(stderr: string): string | undefined {
  const lines = stripAnsi(stderr).split("\n");
  for (const reason of SSH_REASONS) {
    const line = lines.find((l) => reason.test(l));
    if (line) return line.replace(/^[@\s]+|[@\s]+$/g, "").replace(/^ssh: /, "");
  }
  return undefined;
}

export const nixMissing = (): EnvError =>
  new EnvError("nix is not installed or not on PATH (Debian: `apt-get install nix-bin`; others: https://nixos.org/download)");
