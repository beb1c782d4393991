// Follows Nix's internal-json log: one live line on a TTY, prefixed log lines otherwise, and
// the full log of every build kept in memory so a failure can show it.
import type { Logger } from "../util/logger.js";
import {
  ACT_BUILD,
  ACT_FILE_TRANSFER,
  ACT_BUILDS,
  RES_BUILD_LOG_LINE,
  RES_POST_BUILD_LOG_LINE,
  RES_PROGRESS,
  RES_SET_PHASE,
  parseLogLine,
  stripAnsi,
} from "./internal-json.js";
import { displayName } from "./flake-attrs.js";
import { UNTRUSTED_USER } from "./substituters.js";
import { redactUrls } from "../util/redact.js";

interface ActiveBuild {
  name: string;
  drvPath: string;
  phase?: string;
  /** When Nix started the build's activity; it may then wait for a build slot. */
  started: number;
  /** When its builder first said something (a phase, a log line): when it began to run. */
  running?: number;
  /** When nixkit's script in it ended (nix/lib marks it with a phase message). */
  done?: number;
  lastLine?: string;
}

/** A derivation built during the run, and how long its builder ran. */
export interface FinishedBuild {
  drvPath: string;
  ms: number;
}

const MAX_LOG_LINES = 2000;
/** The phase nix/lib reports when a build's or test's script has ended. */
const SCRIPT_DONE = "nixkit-script-done";

export class BuildMonitor {
  private readonly active = new Map<number, ActiveBuild>();
  private readonly logs = new Map<string, string[]>();
  /** The remote builder each derivation was sent to (Nix names it when it starts the build). */
  private readonly machines = new Map<string, string>();
  /** Every derivation whose builder ran in this nix invocation (cached ones never start). */
  readonly finished: FinishedBuild[] = [];
  readonly errors: string[] = [];
  readonly warnings: string[] = [];
  /** What a nix-daemon that does not trust this user said it ignored (the driver explains it once). */
  readonly untrusted: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private buildsActivity: number | undefined;
  /** Nix's own count of the builds of this invocation: done and expected. */
  private counts = { done: 0, expected: 0 };

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    if (logger.isTTY && logger.level !== "quiet") {
      this.timer = setInterval(() => this.render(), 250);
      this.timer.unref();
    }
  }

  feed(line: string): void {
    const event = parseLogLine(line);
    switch (event.action) {
      case "text":
        if (event.text.trim()) this.logger.debug(event.text);
        return;
      case "msg":
        // A daemon's warning reaches the client as plain text it logs at error level.
        if (event.level <= 1 && UNTRUSTED_USER.test(event.msg)) {
          this.untrusted.push(stripAnsi(event.msg));
          this.logger.debug(stripAnsi(event.msg));
        } else if (event.level === 0 && !daemonWarning.test(stripAnsi(event.msg))) this.errors.push(stripAnsi(event.msg));
        else if (event.level <= 1 && !isExpectedWarning(event.msg)) {
          const text = stripAnsi(event.msg);
          this.warnings.push(text);
          if (shownOnce(text, this.logger.level)) this.logger.warn(text.replace(/^warning: /, ""));
          else this.logger.debug(text);
        } else this.logger.debug(stripAnsi(event.msg));
        return;
      case "start":
        if (event.type === ACT_BUILDS) this.buildsActivity = event.id;
        // Fixed-output fetches Nix does itself (builtin:fetchurl: npm tarballs) and cache downloads.
        if (event.type === ACT_FILE_TRANSFER) this.logger.debug(`downloading ${redactUrls(String(event.fields?.[0] ?? ""))}`);
        if (event.type === ACT_BUILD) {
          const drvPath = String(event.fields?.[0] ?? "");
          const machine = String(event.fields?.[1] ?? "");
          if (machine) this.machines.set(drvPath, machine);
          this.active.set(event.id, { name: displayName(drvPath), drvPath, started: this.now() });
          this.logs.set(drvPath, []);
          if (!this.logger.isTTY) this.logger.info(`building ${displayName(drvPath)}`);
        }
        return;
      case "stop": {
        const build = this.active.get(event.id);
        // Time in the queue is not the build's: count from when its builder began to run.
        if (build) this.finished.push({ drvPath: build.drvPath, ms: (build.done ?? this.now()) - (build.running ?? build.started) });
        this.active.delete(event.id);
        return;
      }
      case "result":
        this.onResult(event.id, event.type, event.fields);
        return;
    }
  }

  private onResult(id: number, type: number, fields: unknown[]): void {
    if (id === this.buildsActivity && type === RES_PROGRESS) {
      this.counts = { done: Number(fields[0] ?? 0), expected: Number(fields[1] ?? 0) };
      return;
    }
    const build = this.active.get(id);
    if (!build) return;
    if (type === RES_SET_PHASE && fields[0] === SCRIPT_DONE) {
      build.done = this.now();
    } else if (type === RES_SET_PHASE) {
      build.running ??= this.now();
      build.phase = String(fields[0]);
    } else if (type === RES_BUILD_LOG_LINE || type === RES_POST_BUILD_LOG_LINE) {
      build.running ??= this.now();
      let text = stripAnsi(String(fields[0]));
      // A script whose output ends without a newline: Nix reads the builder's phase marker as
      // the end of that last line. The line is the text before it; the marker is a phase.
      const marker = text.indexOf('@nix {"action":"setPhase"');
      if (marker > 0) {
        const event = parseLogLine(text.slice(marker).trim());
        const phase = (event as { phase?: unknown }).phase;
        if (typeof phase === "string") {
          text = text.slice(0, marker);
          this.onResult(id, RES_SET_PHASE, [phase]);
        }
      }
      build.lastLine = text.trim() || build.lastLine;
      const log = this.logs.get(build.drvPath)!;
      log.push(text);
      if (log.length > MAX_LOG_LINES) log.shift();
      if (!this.logger.isTTY && this.logger.level !== "quiet") this.logger.info(`[${build.name}] ${text}`);
    }
  }

  /** A count of the invocation's builds, then one line per running build: name, phase, elapsed, its last log line. */
  render(): void {
    const count = this.counts.expected > 0 ? `[${this.counts.done}/${this.counts.expected}] ` : "";
    const lines = [...this.active.values()].map((b, i) => {
      const seconds = Math.floor((this.now() - (b.running ?? b.started)) / 1000);
      const state = b.running === undefined ? "waiting" : `${b.phase ? `${b.phase} ` : ""}${seconds}s`;
      return `${i === 0 ? count : " ".repeat(count.length)}building ${b.name} (${state})${b.lastLine ? `: ${b.lastLine}` : ""}`;
    });
    this.logger.progress(lines);
  }

  /** Log lines of a derivation's build, oldest first. */
  /** The remote builder `drvPath` was built on, if it was sent to one. */
  machineOf(drvPath: string): string | undefined {
    return this.machines.get(drvPath);
  }

  logOf(drvPath: string): string[] {
    return this.logs.get(drvPath) ?? [];
  }

  /** Derivations whose builds failed, taken from Nix's error messages. */
  failedDerivations(): string[] {
    return failedDerivations(this.errors.join("\n"));
  }

  /** Derivations that `--rebuild` found to give a different output than before. */
  differingDerivations(): string[] {
    const found = new Set<string>();
    for (const error of this.errors) {
      for (const match of error.matchAll(/derivation '([^']+\.drv)' may not be deterministic/g)) found.add(match[1]!);
    }
    return [...found];
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.logger.progress([]);
  }
}

// Nix says a git tree is dirty on every evaluation (several times per command): say it once per
// run, and not at all with -q.
const said = new Set<string>();
function shownOnce(text: string, level: string): boolean {
  if (!/^warning: Git tree '.*' is dirty/.test(text)) return true;
  if (level === "quiet" || said.has(text)) return false;
  said.add(text);
  return true;
}

// The daemon's other warnings arrive the same way; they are warnings, shown when the build succeeds too.
const daemonWarning = /^warning: /;

// With --nixpkgs, nixkit passes --no-write-lock-file on purpose; and it passes the manifest's
// cache settings itself, so Nix ignoring the flake's nixConfig copy of them is noise too.
const isExpectedWarning = (msg: string) =>
  /not writing modified lock file|ignoring untrusted flake configuration setting 'extra-(substituters|trusted-public-keys)'/.test(
    stripAnsi(msg),
  );

/**
 * Derivations whose builders failed, from Nix's error text: `builder for '….drv' failed` up to
 * Nix 2.28, `Cannot build '….drv'.` with `Reason: builder failed…` from 2.29 (other reasons, such
 * as local builds being disabled, are not a builder's failure).
 */
export function failedDerivations(errorText: string): string[] {
  const found = new Set<string>();
  const text = stripAnsi(errorText);
  for (const match of text.matchAll(/builder for '([^']+\.drv)' failed/g)) found.add(match[1]!);
  for (const match of text.matchAll(/Cannot build '([^']+\.drv)'\.\s*\n\s*Reason: builder failed/g)) found.add(match[1]!);
  return [...found];
}
