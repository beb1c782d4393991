// A second host on this machine for the tests: builder-host.sh makes a network namespace with
// its own /nix and sshd; this starts it, gives its machines line, runs commands on it (as a
// laptop with its own store would) and stops it (every process in it, the namespace and the link).
import { execa } from "execa";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const script = path.join(import.meta.dirname, "builder-host.sh");
let nextIndex = 10 + (process.pid % 200);

export interface BuilderHost {
  /** The Nix machines line (ssh-ng://root@ADDRESS SYSTEM KEY 2 1 - - HOSTKEY). */
  machine: string;
  address: string;
  /** This machine's address on the link to the host (what the host reaches us at). */
  peer: string;
  /** argv that runs a command on the host: in its network namespace, with its /nix. */
  runArgv(command: string[]): string[];
  /** The builder's own store, as seen from here. */
  storeDir: string;
  /** Kills everything running in the builder (sshd and the nix-daemons it started). */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBuilderHost(): Promise<BuilderHost> {
  // Lives for the whole test file (tempDir is per test): stop() removes it.
  const dir = mkdtempSync(path.join(os.tmpdir(), "nixkit-builder-"));
  const index = nextIndex++;
  const started = await execa("bash", [script, "start", dir, String(index)], { reject: false });
  if (started.exitCode !== 0) throw new Error(`the builder host did not start: ${started.stderr}`);
  const stop = async () => {
    await execa("bash", [script, "stop", dir], { reject: false });
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    machine: started.stdout.trim(),
    address: `10.231.${index}.2`,
    peer: `10.231.${index}.1`,
    runArgv: (command) => [script, "run", dir, ...command],
    storeDir: path.join(dir, "nix/store"),
    kill: async () => {
      const ns = (await execa("cat", [path.join(dir, "namespace")])).stdout.trim();
      const pids = (await execa("ip", ["netns", "pids", ns], { reject: false })).stdout.split("\n").filter(Boolean);
      if (pids.length) await execa("kill", ["-9", ...pids], { reject: false });
    },
    stop,
  };
}

/** Store paths (names) in the builder's store. */
export const builderStore = (host: BuilderHost): string[] => readdirSync(host.storeDir);
