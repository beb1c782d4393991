// Starts a command or an interactive shell in a cached dev environment, passing stdio and
// signals through and reporting the child's exit the way a shell would.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { shellQuote } from "./rc.js";

/** Variables a --pure environment keeps from the caller (documented in the README). */
export const PURE_KEEP = ["HOME", "USER", "LOGNAME", "TERM", "COLORTERM", "LANG", "LC_ALL", "TZ", "DISPLAY", "SSH_AUTH_SOCK", "NO_COLOR"];

export interface LaunchOptions {
  rcFile: string;
  projectDir: string;
  pure: boolean;
  env?: NodeJS.ProcessEnv;
}

export function baseEnv(options: LaunchOptions): NodeJS.ProcessEnv {
  const from = options.env ?? process.env;
  const env: NodeJS.ProcessEnv = options.pure ? Object.fromEntries(PURE_KEEP.filter((k) => from[k] !== undefined).map((k) => [k, from[k]])) : { ...from };
  env.NIXKIT_PROJECT = options.projectDir;
  return env;
}

/** Runs `command` after the environment (and its hook); resolves to the exit status a shell would report. */
export function runInEnv(options: LaunchOptions, command: string[]): Promise<number> {
  return supervise("bash", ["--norc", "--noprofile", "-c", 'source "$0" && exec "$@"', options.rcFile, ...command], baseEnv(options));
}

/** The user's interactive shell (bash, zsh or fish from $SHELL; bash otherwise) in the environment. */
export function interactiveShell(options: LaunchOptions, projectName: string): Promise<number> {
  const env = baseEnv(options);
  const shell = path.basename(process.env.SHELL ?? "bash");
  const marker = `(nixkit:${projectName}) `;
  const dir = path.dirname(options.rcFile);
  if (shell === "zsh" || shell === "fish") {
    // The hook is bash: run it in bash, then hand the resulting environment to zsh or fish.
    const wrapper = path.join(dir, `${shell}-env.sh`);
    writeFileSync(wrapper, `source ${shellQuote(options.rcFile)}\nexport NIXKIT_PROMPT=${shellQuote(marker)}\nexec "$@"\n`);
    if (shell === "zsh") {
      const zdotdir = path.join(dir, "zsh");
      mkdirSync(zdotdir, { recursive: true });
      writeFileSync(path.join(zdotdir, ".zshrc"), `ZDOTDIR=$HOME\n[ -e ~/.zshrc ] && source ~/.zshrc\nPROMPT="$NIXKIT_PROMPT$PROMPT"\n`);
      return supervise("bash", ["--norc", "--noprofile", wrapper, "env", `ZDOTDIR=${zdotdir}`, "zsh", "-i"], env);
    }
    const prompt = "functions -q fish_prompt; and functions -c fish_prompt __nixkit_prompt; function fish_prompt; printf '%s' $NIXKIT_PROMPT; __nixkit_prompt; end";
    return supervise("bash", ["--norc", "--noprofile", wrapper, "fish", "--init-command", prompt], env);
  }
  // bash, like `nix develop`: the user's ~/.bashrc first, then the environment, then the marker.
  const bashrc = path.join(dir, "interactive.bashrc");
  writeFileSync(bashrc, `[ -e ~/.bashrc ] && source ~/.bashrc\nsource ${shellQuote(options.rcFile)}\nPS1=${shellQuote(marker)}"\${PS1-\\\\u@\\\\h:\\\\w\\\\$ }"\n`);
  return supervise("bash", ["--rcfile", bashrc, "-i"], env);
}

function supervise(program: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: "inherit", env });
    // Ctrl-C and Ctrl-\ reach the child from the terminal directly; other signals are forwarded.
    const ignore = () => {};
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", ignore);
    process.on("SIGQUIT", ignore);
    for (const signal of ["SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2"] as const) process.on(signal, forward);
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
      resolve(signal ? 128 + (os.constants.signals[signal] ?? 0) : (code ?? 1));
    });
  });
}

