// What the language benches share: the CLI, an environment whose Nix asks no binary cache, the
// offline package set, this system's name, and a timed run of a command.
import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const cli = path.join(root, "bin/nixkit.cjs");
export const env = { ...process.env, NIX_CONFIG: "substituters =\nexperimental-features = nix-command flakes" };
export const nixpkgs = () => execFileSync(process.execPath, [cli, "offline-pkgs"], { env }).toString().trim();
export const system = `${{ x64: "x86_64", arm64: "aarch64" }[process.arch]}-${process.platform}`;

/** Runs `command` to its end (throwing when it fails): how long it took, and what it printed. */
export function time(command, args, cwd, extraEnv = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, env: { ...env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")}: ${result.stderr}`);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, stdout: String(result.stdout), stderr: String(result.stderr) };
}

export const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
