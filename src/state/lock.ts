// Locks beside a target (`.<name>.lock`) so that writers of one target take turns. A lock says
// who holds it: pid, the process's start time, the host and the boot, so a lock left by a killed
// nixkit is recognised even when its pid now belongs to someone else (a rerun in a container is
// pid 1 again). Waiting is said after a moment, and gives up after a bound, naming the lock.
import { readFileSync, promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { EnvError } from "../util/errors.js";

/** Whether a process is running (EPERM: it runs, as another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

interface Holder {
  pid: number;
  /** The process's start time (clock ticks since boot, /proc/PID/stat field 22). */
  start: string;
  host: string;
  boot: string;
}

const readOr = (file: string, fallback: string) => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return fallback;
  }
};
const bootId = () => readOr("/proc/sys/kernel/random/boot_id", "").trim();
// The command name (field 2) may hold spaces and parentheses: fields are counted after its last ")".
const startTime = (pid: number) => readOr(`/proc/${pid}/stat`, "").split(")").at(-1)!.trim().split(" ")[19] ?? "";
const me = (): Holder => ({ pid: process.pid, start: startTime(process.pid), host: os.hostname(), boot: bootId() });

function parseHolder(text: string): Holder | number | undefined {
  if (/^\d+$/.test(text.trim())) return Number(text.trim()); // an older nixkit's lock: its pid only
  try {
    const holder = JSON.parse(text) as Holder;
    return typeof holder.pid === "number" ? holder : undefined;
  } catch {
    return undefined;
  }
}

/** A lock whose holder no longer runs. */
export async function lockAbandoned(lock: string): Promise<boolean> {
  const text = await fs.readFile(lock, "utf8").catch(() => "");
  const holder = parseHolder(text);
  // An empty lock is one being written, or one whose writer died before it could say who it was.
  if (holder === undefined) return Date.now() - (await fs.stat(lock).catch(() => ({ mtimeMs: 0 }))).mtimeMs > 5000;
  if (typeof holder === "number") return !pidAlive(holder);
  const here = me();
  if (holder.host !== here.host) return false; // another machine's process: nothing to ask
  if (holder.boot !== here.boot) return true;
  return !pidAlive(holder.pid) || startTime(holder.pid) !== holder.start;
}

function describeHolder(text: string): string {
  const holder = parseHolder(text);
  if (holder === undefined) return "a nixkit that did not say who it is";
  if (typeof holder === "number") return `nixkit pid ${holder}`;
  return `nixkit pid ${holder.pid} on ${holder.host}`;
}

export interface LockOptions {
  signal?: AbortSignal;
  /** Told once, after WAIT_NOTICE_MS, what the lock waits for. */
  onWait?: (message: string) => void;
  timeoutMs?: number;
}

const WAIT_NOTICE_MS = 2000;
export const LOCK_TIMEOUT_MS = 10 * 60_000;
const stderrNotice = (message: string) => process.stderr.write(`nixkit: ${message}\n`);

/** Runs `work` holding `.<target>.lock` beside `target`; a lock whose holder died is taken over. */
export async function withLock<T>(target: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lock = path.join(path.dirname(target), `.${path.basename(target)}.lock`);
  const started = Date.now();
  const timeout = options.timeoutMs ?? LOCK_TIMEOUT_MS;
  let told = false;
  for (;;) {
    try {
      const handle = await fs.open(lock, "wx");
      await handle.writeFile(JSON.stringify(me()));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (await lockAbandoned(lock)) {
        await fs.rm(lock, { force: true });
        continue;
      }
      const waited = Date.now() - started;
      const holder = describeHolder(await fs.readFile(lock, "utf8").catch(() => ""));
      if (waited >= timeout)
        throw new EnvError(
          `${target} is still locked by ${holder} after ${Math.round(waited / 1000)} s; if no nixkit is writing it, remove ${lock}`,
        );
      if (!told && waited >= WAIT_NOTICE_MS) {
        told = true;
        (options.onWait ?? stderrNotice)(`waiting for ${holder}, which is writing ${target} (lock ${lock})`);
      }
      await sleep(100, undefined, { signal: options.signal });
    }
  }
  try {
    return await work();
  } finally {
    await fs.rm(lock, { force: true });
  }
}
