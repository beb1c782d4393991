// Runs nix and nix-store: the one place (besides the shell's light print-dev-env.ts) that
// starts a Nix process. Ctrl-C (the AbortSignal) stops it and becomes Interrupted.
import { execa, type ResultPromise } from "execa";
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
  async capture(args: string[], input?: string, extraEnv: NodeJS.ProcessEnv = {}, timeoutMs?: number): Promise<Captured> {
    this.options.logger.debug(`$ nix ${args.join(" ")}`);
    const child = execa(this.binary, args, {
      cwd: this.options.cwd,
      reject: false,
      ...(input === undefined ? { stdin: "ignore" as const } : { input }),
      ...(timeoutMs ? { timeout: timeoutMs } : {}),
      cancelSignal: this.options.signal,
      maxBuffer: 256 * 1024 * 1024,
      env: { ...nixEnv(), ...extraEnv },
      extendEnv: false,
    });
    const result = await settle(child);
    return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? 1, timedOut: result.timedOut };
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
    const child = execa(siblingBinary("nix-store"), args, {
      reject: false,
      stdin: "ignore",
      cancelSignal: this.options.signal,
      maxBuffer: 256 * 1024 * 1024,
      env: nixEnv(),
      extendEnv: false,
    });
    const result = await settle(child);
    if (result.exitCode !== 0) throw nixFailure(`nix-store ${args[0]}`, stripAnsi(String(result.stderr)));
    return String(result.stdout);
  }

  /** A nix command with the terminal handed over (it may prompt or print progress itself). */
  async interactive(args: string[], what: string): Promise<void> {
    this.options.logger.debug(`$ nix ${args.join(" ")}`);
    const child = execa(this.binary, args, {
      cwd: this.options.cwd,
      stdio: "inherit",
      reject: false,
      cancelSignal: this.options.signal,
      env: nixEnv(),
      extendEnv: false,
    });
    const result = await settle(child);
    if (result.exitCode !== 0) throw new NixFailed(`nix ${what} failed`, "");
  }

  /** Runs nix, handing each stderr line to `onLine` as it comes (internal-json logs). */
  async followed(args: string[], onLine: (line: string) => void): Promise<Captured> {
    this.options.logger.debug(`$ nix ${args.join(" ")}`);
    const child = execa(this.binary, args, {
      cwd: this.options.cwd,
      reject: false,
      stdin: "ignore",
      cancelSignal: this.options.signal,
      lines: false,
      env: nixEnv(),
      extendEnv: false,
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
        onLine(line);
        pending = pending.slice(newline + 1);
      }
    });
    const result = await settle(child).finally(() => pending && onLine(pending));
    return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr };
  }
}

async function settle(child: ResultPromise) {
  let result;
  try {
    result = await child;
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") throw nixMissing();
    throw error;
  }
  if (result.isCanceled) throw new Interrupted();
  const code = (result as { code?: string }).code;
  if (code === "ENOENT") throw nixMissing();
  // Not started at all (E2BIG, EACCES…): execa has no stderr then, only its own message.
  if (code && result.exitCode === undefined && !result.timedOut)
    throw new NixFailed(
      `${path.basename(String(result.command).split(" ")[0] ?? "nix")} could not be started: ${code} (${(result as { originalMessage?: string }).originalMessage ?? result.shortMessage})`,
      "",
    );
  return result;
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
