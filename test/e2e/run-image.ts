// Runs an OCI layout's image as a container would: umoci unpacks it into a runtime bundle, runc
// runs it (no terminal; `extraArgs` appended to its entrypoint and cmd).
import { execa } from "execa";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { tempDir } from "../helpers.js";

export interface ImageRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The unpacked bundle (rootfs/ and config.json). */
  bundle: string;
  config: { process: { user: object; args: string[] } };
}

export async function runImage(layout: string, extraArgs: string[] = []): Promise<ImageRun> {
  const bundle = path.join(tempDir(), "bundle");
  const unpack = await execa("umoci", ["unpack", "--image", `${layout}:latest`, bundle], { reject: false });
  if (unpack.exitCode !== 0) throw new Error(`umoci unpack failed: ${unpack.stderr}`);
  const configFile = path.join(bundle, "config.json");
  const config = JSON.parse(readFileSync(configFile, "utf8")) as ImageRun["config"] & { process: { terminal: boolean } };
  config.process.terminal = false;
  config.process.args.push(...extraArgs);
  writeFileSync(configFile, JSON.stringify(config));
  const id = `nixkit-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const run = await execa("runc", ["run", id], { cwd: bundle, reject: false, timeout: 60_000 });
  await execa("runc", ["delete", "--force", id], { reject: false });
  return { exitCode: run.exitCode ?? 1, stdout: String(run.stdout), stderr: String(run.stderr), bundle, config };
}
