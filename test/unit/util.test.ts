import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { describe, expect, test } from "vitest";
import { sweepLeftovers, writeFileAtomic, writeFileIfChanged, writeFilesAtomic } from "../../src/state/atomic.js";
import { createLogger } from "../../src/util/logger.js";
import { tempDir } from "../helpers.js";

function capture(isTTY = false) {
  const chunks: string[] = [];
  const stream = Object.assign(new Writable({ write: (c, _e, done) => (chunks.push(String(c)), done()) }), { isTTY, columns: 80 });
  return { stream, text: () => chunks.join("") };
}

describe("logger", () => {
  test("human output on stderr, results on stdout, nothing coloured off a TTY", () => {
    const out = capture();
    const err = capture();
    const logger = createLogger({ stdout: out.stream, stderr: err.stream, env: {} });
    logger.info("hello");
    logger.warn("careful");
    logger.result("done");
    logger.debug("hidden");
    expect(err.text()).toBe("hello\nwarning: careful\n");
    expect(out.text()).toBe("done\n");
  });

  test("--json keeps stdout for data; -q keeps only warnings and errors; -v shows debug", () => {
    const out = capture();
    const err = capture();
    const quiet = createLogger({ stdout: out.stream, stderr: err.stream, env: {}, level: "quiet", json: true });
    quiet.info("hidden");
    quiet.result("to stderr");
    quiet.data({ a: 1 });
    quiet.error("bad");
    expect(out.text()).toBe('{\n  "a": 1\n}\n');
    expect(err.text()).toBe("to stderr\nerror: bad\n");
    const verbose = capture();
    createLogger({ stderr: verbose.stream, env: {}, level: "verbose" }).debug("shown");
    expect(verbose.text()).toBe("shown\n");
  });

  test("colour and progress only on a TTY, and NO_COLOR turns colour off", () => {
    const tty = capture(true);
    const coloured = createLogger({ stderr: tty.stream, env: {} });
    coloured.warn("w");
    coloured.progress(["building x", "building y"]);
    expect(tty.text()).toContain("\x1b[33mwarning: \x1b[0mw");
    expect(tty.text()).toContain("building x\nbuilding y");
    const plain = capture(true);
    createLogger({ stderr: plain.stream, env: { NO_COLOR: "" } }).warn("w");
    expect(plain.text()).toBe("warning: w\n");
    const pipe = capture(false);
    createLogger({ stderr: pipe.stream, env: {} }).progress(["building x"]);
    expect(pipe.text()).toBe("");
  });
});

describe("writeFilesAtomic", () => {
  test("a failure before the renames leaves every target as it was, and no temp files", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "a"), "old a");
    writeFileSync(path.join(dir, "blocker"), "a file where a directory is needed");
    await expect(
      writeFilesAtomic([
        { path: path.join(dir, "a"), content: "new a" },
        { path: path.join(dir, "blocker", "b"), content: "b" },
      ]),
    ).rejects.toThrow();
    expect(readFileSync(path.join(dir, "a"), "utf8")).toBe("old a");
    expect(readdirSync(dir).sort()).toEqual(["a", "blocker"]);
  });

  test("writes every file with its mode", async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, "sub"));
    await writeFilesAtomic([{ path: path.join(dir, "sub", "x"), content: "x", mode: 0o600 }]);
    expect(readFileSync(path.join(dir, "sub", "x"), "utf8")).toBe("x");
    expect(statSync(path.join(dir, "sub", "x")).mode & 0o777).toBe(0o600);
  });
});

test("a write of a file removes its temps that killed writers left, even when the content is unchanged; a live writer's stays", async () => {
  const dir = tempDir();
  const target = path.join(dir, "durations.json");
  writeFileSync(target, "{}\n");
  const deadPid = spawnSync("true").pid!;
  const dead = path.join(dir, `.durations.json.${deadPid}.abc12345.tmp`);
  const live = path.join(dir, `.durations.json.${process.pid}.def67890.tmp`);
  const other = path.join(dir, `.other.json.${deadPid}.abc12345.tmp`);
  for (const file of [dead, live, other]) writeFileSync(file, "");
  expect(await writeFileIfChanged(target, "{}\n")).toBe(false);
  expect([existsSync(dead), existsSync(live), existsSync(other)]).toEqual([false, true, true]);
  writeFileSync(dead, "");
  await writeFileAtomic(target, "{}\n");
  expect(existsSync(dead)).toBe(false);
});

describe("sweepLeftovers", () => {
  test("removes a lock whose holder died (a killed writer's), keeps a live holder's and a fresh empty one", async () => {
    const dir = tempDir();
    const dead = spawnSync("true").pid!;
    writeFileSync(path.join(dir, ".oci.lock"), String(dead));
    writeFileSync(path.join(dir, ".archive.tar.lock"), String(process.pid));
    writeFileSync(path.join(dir, ".being-written.lock"), "");
    await sweepLeftovers(dir);
    expect(readdirSync(dir).sort()).toEqual([".archive.tar.lock", ".being-written.lock"]);
  });
});

test("Nix's words for a directory it cannot write become exit 3 naming the directory", async () => {
  const { nixEnvironmentError } = await import("../../src/util/errors.js");
  const cases: [string, RegExp][] = [
    [
      "error: executing SQLite statement 'insert or replace into Cache(domain, key, value, timestamp) values (?, ?, ?, ?)': database or disk is full, database or disk is full (in '/home/u/.cache/nix/fetcher-cache-v3.sqlite')",
      /^Nix cannot write \/home\/u\/\.cache\/nix: database or disk is full \(free space there/,
    ],
    ["error: creating directory '/ro/home/.cache': Read-only file system", /^Nix cannot write \/ro\/home\/\.cache: read-only file system/],
    [
      "error: cannot open SQLite database '/home/u/.cache/nix/eval-cache-v5/abc.sqlite': unable to open database file",
      /^Nix cannot write \/home\/u\/\.cache\/nix\/eval-cache-v5: /,
    ],
  ];
  for (const [message, expected] of cases) {
    const error = nixEnvironmentError(message, undefined);
    expect(error?.exitCode).toBe(3);
    expect(error?.message).toMatch(expected);
  }
  expect(nixEnvironmentError("error: attribute 'x' missing", undefined)).toBeUndefined();
});
