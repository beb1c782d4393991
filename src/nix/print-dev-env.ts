// `nix print-dev-env --json --profile P`: the shell's one cold-path nix call. Uses
// node:child_process rather than execa so the shell's fast path stays light.
import { spawn } from "node:child_process";
import { developBaseArgs, type NixContext } from "./args.js";

export interface DevEnvResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

export function printDevEnvArgs(ctx: NixContext, profile: string): string[] {
  return [...developBaseArgs(ctx, "print-dev-env"), "--json", "--profile", profile];
}

export function printDevEnv(
  ctx: NixContext,
  profile: string,
  nix = process.env.NIXKIT_NIX ?? "nix",
  signal?: AbortSignal,
): Promise<DevEnvResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(nix, printDevEnvArgs(ctx, profile), { cwd: ctx.projectDir, stdio: ["ignore", "pipe", "pipe"], signal });
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
