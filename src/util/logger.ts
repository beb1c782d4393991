// The one logger: human output on stderr, machine output (--json) on stdout.
import { redactUrls } from "./redact.js";
export type Level = "quiet" | "normal" | "verbose";

export interface Logger {
  readonly level: Level;
  readonly json: boolean;
  readonly color: boolean;
  readonly isTTY: boolean;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  /** Final results for humans: stdout, unless --json took stdout. */
  result(message: string): void;
  /** Machine output: one JSON document on stdout. */
  data(value: unknown): void;
  /** Whether data() has written machine output: an error then adds none. */
  readonly dataWritten: boolean;
  /** Replaces the live progress block (TTY only), one line per entry; [] clears it. */
  progress(lines: string[]): void;
}

export interface LoggerOptions {
  level?: Level;
  json?: boolean;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env?: NodeJS.ProcessEnv;
}

const paint = (code: number) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;

export function createLogger(options: LoggerOptions = {}): Logger {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  const level = options.level ?? "normal";
  const json = options.json ?? false;
  const isTTY = Boolean(stderr.isTTY);
  const color = isTTY && env.NO_COLOR == null && env.TERM !== "dumb";
  const red = color ? paint(31) : (s: string) => s;
  const yellow = color ? paint(33) : (s: string) => s;
  const dim = color ? paint(2) : (s: string) => s;
  let progressLines = 0;
  let dataWritten = false;

  // Moves to the first line of the block and erases to the end of the screen.
  const clearProgress = () => {
    if (progressLines > 0) {
      stderr.write(`\r${progressLines > 1 ? `\x1b[${progressLines - 1}A` : ""}\x1b[J`);
      progressLines = 0;
    }
  };
  const line = (text: string) => {
    clearProgress();
    stderr.write(redactUrls(text) + "\n");
  };

  return {
    level,
    json,
    color,
    isTTY,
    info: (m) => level !== "quiet" && line(m),
    warn: (m) => line(yellow("warning: ") + m),
    error: (m) => line(red("error: ") + m),
    debug: (m) => level === "verbose" && line(dim(m)),
    result: (m) => {
      clearProgress();
      (json ? stderr : stdout).write(redactUrls(m) + "\n");
    },
    get dataWritten() {
      return dataWritten;
    },
    data: (value) => {
      dataWritten = true;
      clearProgress();
      stdout.write(redactUrls(JSON.stringify(value, null, 2)) + "\n");
    },
    progress: (lines) => {
      if (!isTTY || level === "quiet") return;
      clearProgress();
      const width = Math.max(20, (stderr.columns || 80) - 1);
      stderr.write(lines.map((l) => redactUrls(l).slice(0, width)).join("\n"));
      progressLines = lines.length;
    },
  };
}
