// Starts a command or an interactive shell in a cached dev environment, passing stdio and
// signals through and reporting the child's exit the way a shell would: the one place that
// runs bash (or the user's zsh or fish) for the dev environment.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import path from "node:path";
import { projectPaths } from "../state/layout.js";
import { RC_BASH_PREFIX } from "./rc-markers.js";
import { shellQuote } from "../util/shell-quote.js";

/** Variables a --pure environment keeps from the caller (documented in the README). */
export const PURE_KEEP = ["HOME", "USER", "LOGNAME", "TERM", "COLORTERM", "LANG", "LC_ALL", "TZ", "DISPLAY", "SSH_AUTH_SOCK", "NO_COLOR"];

export interface LaunchOptions {
  rcFile: string;
  projectDir: string;
  /** The directory the command or shell starts in. */
  workDir: string;
  pure: boolean;
  env?: NodeJS.ProcessEnv;
}

export function baseEnv(options: LaunchOptions): NodeJS.ProcessEnv {
  const from = options.env ?? process.env;
  const env: NodeJS.ProcessEnv = options.pure
    ? Object.fromEntries(PURE_KEEP.filter((k) => from[k] !== undefined).map((k) => [k, from[k]]))
    : { ...from };
  // Empty rather than unset: bash fills an unset PATH with its own default, which --pure must not get.
  if (options.pure) env.PATH = "";
  env.NIXKIT_PROJECT = options.projectDir;
  return env;
}

/**
 * bash from the caller's PATH, resolved here because a --pure environment has no PATH to search;
 * on macOS the environment's own bash (recorded in the rc file), not the system's 3.2.
 */
export function bashPath(env: NodeJS.ProcessEnv = process.env, rcFile?: string, platform: NodeJS.Platform = process.platform): string {
  const own = platform === "darwin" && rcFile ? recordedBash(rcFile) : undefined;
  if (own) return own;
  for (const dir of (env.PATH ?? "").split(":")) if (dir && existsSync(path.join(dir, "bash"))) return path.join(dir, "bash");
  return "/bin/bash";
}

function recordedBash(rcFile: string): string | undefined {
  const head = readFileSync(rcFile, "utf8").slice(0, 2048);
  const line = head.split("\n").find((l) => l.startsWith(RC_BASH_PREFIX));
  const bash = line?.slice(RC_BASH_PREFIX.length);
  return bash && existsSync(bash) ? bash : undefined;
}

/** Runs `command` after the environment (and its hook); resolves to the exit status a shell would report. */
// Like `nix develop -c`, the command runs whatever the hook's last step returned. Unlike it, the
// hook's output goes to stderr, so `nixkit run -- cmd | jq` reads only the command's own output.
export function runInEnv(options: LaunchOptions, command: string[]): Promise<number> {
  return supervise(["--norc", "--noprofile", "-c", 'source "$0" >&2; exec "$@"', options.rcFile, ...command], options);
}

/** The user's interactive shell (bash, zsh or fish from $SHELL; bash otherwise) in the environment. */
export function interactiveShell(options: LaunchOptions, projectName: string): Promise<number> {
  const shell = path.basename(process.env.SHELL ?? "bash");
  const marker = `(nixkit:${projectName}) `;
  const files = projectPaths(options.projectDir).shell;
  if (shell === "zsh" || shell === "fish") {
    // The hook is bash: run it in bash, then hand the resulting environment to zsh or fish.
    const wrapper = files.wrapper(`${shell}-env.sh`);
    writeFileSync(wrapper, `source ${shellQuote(options.rcFile)}\nexport NIXKIT_PROMPT=${shellQuote(marker)}\nexec "$@"\n`);
    if (shell === "zsh") {
      const zdotdir = files.wrapper("zsh");
      mkdirSync(zdotdir, { recursive: true });
      writeFileSync(path.join(zdotdir, ".zshrc"), `ZDOTDIR=$HOME\n[ -e ~/.zshrc ] && source ~/.zshrc\nPROMPT="$NIXKIT_PROMPT$PROMPT"\n`);
      return supervise(["--norc", "--noprofile", wrapper, "env", `ZDOTDIR=${zdotdir}`, "zsh", "-i"], options);
    }
    const prompt =
      "functions -q fish_prompt; and functions -c fish_prompt __nixkit_prompt; function fish_prompt; printf '%s' $NIXKIT_PROMPT; __nixkit_prompt; end";
    return supervise(["--norc", "--noprofile", wrapper, "fish", "--init-command", prompt], options);
  }
  // bash, like `nix develop`: the user's ~/.bashrc first, then the environment, then the marker.
  const bashrc = files.wrapper("interactive.bashrc");
  writeFileSync(
    bashrc,
    `[ -e ~/.bashrc ] && source ~/.bashrc\nsource ${shellQuote(options.rcFile)}\nPS1=${shellQuote(marker)}"\${PS1-\\\\u@\\\\h:\\\\w\\\\$ }"\n`,
  );
  return supervise(["--rcfile", bashrc, "-i"], options);
}

/** The exported environment a command started by `nixkit run` sees (the hook's output goes to stderr). */
export function environmentAfter(options: LaunchOptions): Record<string, string> {
  const dump = execFileSync(
    bashPath(options.env, options.rcFile),
    ["--norc", "--noprofile", "-c", 'source "$0" >&2 && env -0', options.rcFile],
    {
      cwd: options.workDir,
      env: baseEnv(options),
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const env: Record<string, string> = {};
  for (const entry of dump.toString("utf8").split("\0")) {
    const eq = entry.indexOf("=");
    const name = entry.slice(0, eq);
    if (eq > 0 && name !== "_" && name !== "SHLVL") env[name] = entry.slice(eq + 1);
  }
  return Object.fromEntries(Object.entries(env).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Runs bash with `args` in the launch environment and directory. */
function supervise(args: string[], options: LaunchOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    // Ctrl-C and Ctrl-\ reach the child from the terminal directly; other signals are forwarded.
    // The handlers come first: the child may run (and be seen running) before spawn() returns,
    // and a SIGTERM in between would kill nixkit and leave the command behind.
    const started: { child?: ChildProcess; pending?: NodeJS.Signals } = {};
    const ignore = () => {};
    const forward = (signal: NodeJS.Signals) => (started.child ? started.child.kill(signal) : (started.pending = signal));
    process.on("SIGINT", ignore);
    process.on("SIGQUIT", ignore);
    for (const signal of ["SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2"] as const) process.on(signal, forward);
    const child = spawn(bashPath(process.env, options.rcFile), args, { stdio: "inherit", env: baseEnv(options), cwd: options.workDir });
    started.child = child;
    if (started.pending) child.kill(started.pending);
    const cleanup = () => {
      process.off("SIGINT", ignore);
      process.off("SIGQUIT", ignore);
      for (const signal of ["SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2"] as const) process.off(signal, forward);
    };
    child.on("error", (error) => {
      cleanup();
      reject(error);
    });
    child.on("exit", (code, signal) => {
      cleanup();
      resolve(signal ? 128 + signalNumber(signal) : (code ?? 1));
    });
  });
}

// The platform's numbers (SIGUSR1 is 10 on Linux, 30 on macOS).
const signalNumber = (signal: string): number => (constants.signals as Record<string, number>)[signal] ?? 0;
