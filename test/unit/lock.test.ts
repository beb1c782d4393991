// Output locks (src/state/lock.ts): a lock left by a killed nixkit is taken over even when its pid
// is alive again as another process (or as nixkit itself, rerun in a container); a lock really
// held is waited for with a word about whom, and only up to a bound.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { withLock } from "../../src/state/lock.js";
import { EnvError } from "../../src/util/errors.js";
import { tempDir } from "../helpers.js";

const startOf = (pid: number) => readFileSync(`/proc/${pid}/stat`, "utf8").split(")").at(-1)!.trim().split(" ")[19]!;
const bootId = () => readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
const lockOf = (target: string) => path.join(path.dirname(target), `.${path.basename(target)}.lock`);

test.each([
  [
    "this very pid, started at another time (a rerun in a container)",
    () => ({ pid: process.pid, start: "1", host: os.hostname(), boot: bootId() }),
  ],
  ["a live pid from before a reboot", () => ({ pid: process.pid, start: startOf(process.pid), host: os.hostname(), boot: "another-boot" })],
  ["an older nixkit's lock: a pid that no longer runs", () => 2 ** 22 + 7],
])("a lock left by %s is taken over at once", async (_name, holder) => {
  const target = path.join(tempDir(), "layout");
  writeFileSync(lockOf(target), JSON.stringify(holder()));
  const started = Date.now();
  const notices: string[] = [];
  expect(await withLock(target, async () => "done", { onWait: (m) => notices.push(m) })).toBe("done");
  expect(Date.now() - started).toBeLessThan(1000);
  expect(notices).toEqual([]);
});

test("a lock a live process holds is waited for, said after a moment, and given up after the bound naming the lock", async () => {
  const target = path.join(tempDir(), "layout");
  const holder = spawn("sleep", ["30"]);
  await new Promise((resolve) => holder.once("spawn", resolve));
  try {
    writeFileSync(lockOf(target), JSON.stringify({ pid: holder.pid, start: startOf(holder.pid!), host: os.hostname(), boot: bootId() }));
    const notices: string[] = [];
    const error = await withLock(target, async () => "never", { onWait: (m) => notices.push(m), timeoutMs: 2500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvError);
    expect((error as Error).message).toMatch(
      new RegExp(`is still locked by nixkit pid ${holder.pid} on .* after 3 s; if no nixkit is writing it, remove .*\\.layout\\.lock`),
    );
    expect(notices).toEqual([expect.stringMatching(new RegExp(`^waiting for nixkit pid ${holder.pid} on .*, which is writing .*layout`))]);
  } finally {
    holder.kill();
  }
});
