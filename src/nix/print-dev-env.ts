// Runs `nix print-dev-env --json --profile P` (argv from args.ts): the shell's one cold-path nix
// call. It uses node:child_process rather than execa so the warm shell path stays light.
import { spawn } from "node:child_process";

export interface DevEnvResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

export function printDevEnv(binary: string, args: string[], cwd: string, signal?: AbortSignal): Promise<DevEnvResult> {
  return new Promise((resolve, reject) => {
    // Like every nix call, it never sees the cache signing key.
    const env = { ...process.env };
    delete env.NIXKIT_CACHE_SECRET_KEY;
    const child = spawn(binary, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], signal });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => stdout.push(c));
    child.stderr.on("data", (c: Buffer) => stderr.push(c));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ ok: code === 0, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }),
    );
  });
}
