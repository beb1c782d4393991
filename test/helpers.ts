// Shared test helpers: temp projects and running the built CLI.
import { execa } from "execa";
import { chmodSync, existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { onTestFinished, vi } from "vitest";

export const repoRoot = path.resolve(import.meta.dirname, "..");
export const cliPath = path.join(repoRoot, "bin", "nixkit.cjs");

/** Nix settings for tests: no binary cache (none is reachable offline), flakes on. */
export const nixEnv = {
  NIX_CONFIG: "substituters =\nexperimental-features = nix-command flakes",
  NO_COLOR: "1",
  // `npm run -s` (how npm test runs the second Nix pass) exports its silence, which pnpm reads as
  // its own log level: the scripts' output the tests read would be hidden.
  npm_config_loglevel: undefined,
};

/**
 * The name of a test whose behaviour depends on the Nix version, saying why: a feature gate of
 * src/nix/version.ts, a Nix output nixkit parses, or Nix's own behaviour (sandbox, signals, the
 * store). The second Nix version of `npm test` runs only these (`-t "\[every Nix: "`).
 */
export const versioned = (name: string, why: string): string => `${name} [every Nix: ${why}]`;

export function tempDir(prefix = "nixkit-test-"): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
}

export async function nixkit(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return execa("node", [cliPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...nixEnv, ...options.env },
    reject: false,
    stdin: "ignore",
  });
}

/**
 * The CLI run in this process (src/cli.ts's runCli, what bin/nixkit.cjs calls after its warm
 * path), its output captured: for commands that fail before any Nix work, such as bad manifests.
 */
export async function nixkitInProcess(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const { runCli } = await import("../src/cli.js");
  const captured = { stdout: "", stderr: "" };
  const capture = (stream: "stdout" | "stderr") =>
    vi.spyOn(process[stream], "write").mockImplementation((chunk: string | Uint8Array) => {
      captured[stream] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
      return true;
    });
  const spies = [capture("stdout"), capture("stderr")];
  try {
    const exitCode = await runCli(["node", "nixkit", ...args], new AbortController().signal);
    return { exitCode, ...captured };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

export async function nix(args: string[], cwd: string) {
  return execa("nix", ["--extra-experimental-features", "nix-command flakes", ...args], {
    cwd,
    env: nixEnv,
    reject: false,
    stdin: "ignore",
  });
}

/** Every file under root with its bytes, to prove a command changed nothing. */
export function snapshotTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else out[path.relative(root, full)] = readFileSync(full).toString("base64");
    }
  };
  walk(root);
  return out;
}

/**
 * A file from ../shared beside the checkout (published schemas, raw Nix outputs). Missing, it
 * fails the test run in CI (CI has it) and returns undefined elsewhere, so the test can skip.
 */
export function sharedFile(rel: string): string | undefined {
  const file = path.resolve(repoRoot, "..", "shared", rel);
  if (existsSync(file)) return file;
  if (process.env.CI) throw new Error(`${file} is missing: CI must have ../shared beside the checkout`);
  return undefined;
}

/** A nix wrapper that records each call, so "no nix process" is measured, not assumed. */
export function countingNix(): { env: Record<string, string>; calls: () => string[] } {
  const dir = tempDir();
  const log = path.join(dir, "calls");
  const wrapper = path.join(dir, "nix");
  writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> ${JSON.stringify(log)}\nexec nix "$@"\n`);
  chmodSync(wrapper, 0o755);
  return {
    env: { NIXKIT_NIX: wrapper },
    calls: () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : []),
  };
}
