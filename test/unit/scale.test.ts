// Inputs that grow with the store or the registry (issue 19): store queries are batched so argv
// never outgrows the kernel's limit, a spawn that fails says why (never "undefined"), and a
// download from a server that accepts and never answers gives up within its timeouts, saying so.
import { once } from "node:events";
import { createServer, type Server } from "node:net";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { NixProcess } from "../../src/nix/process.js";
import { NixStoreQueries } from "../../src/nix/store.js";
import { downloadChecked } from "../../src/node/download.js";
import { createLogger } from "../../src/util/logger.js";
import { tempDir } from "../helpers.js";

const features = { pathInfoJsonMap: true } as never;

test("validPaths, requisites and addFixedFiles take 40,000 paths in chunks that stay under the argument limit", async () => {
  const calls: string[][] = [];
  const fake = {
    capture: async (args: string[]) => {
      calls.push(args);
      const paths = args.filter((a) => a.startsWith("/nix/store/"));
      return {
        exitCode: 0,
        stderr: "",
        stdout: JSON.stringify(Object.fromEntries(paths.map((p) => [p, { narHash: "x", narSize: 1, references: [] }]))),
      };
    },
    nixStore: async (args: string[]) => {
      calls.push(args);
      return args.filter((a) => a.startsWith("/nix/store/") || a.startsWith("/tmp/")).join("\n");
    },
  } as unknown as NixProcess;
  const store = new NixStoreQueries(fake, async () => ({ features }));
  const paths = Array.from({ length: 40_000 }, (_, i) => `/nix/store/${String(i).padStart(32, "a")}-some-package-1.0.0`);
  expect((await store.validPaths(paths)).size).toBe(40_000);
  expect((await store.requisites(paths)).length).toBe(40_000);
  expect(
    (
      await store.addFixedFiles(
        "sha512",
        paths.map((p) => p.replace("/nix/store/", "/tmp/")),
      )
    ).length,
  ).toBe(40_000);
  expect(calls.length).toBe(60);
  for (const args of calls) expect(args.join(" ").length).toBeLessThan(128 * 1024);
});

test("a nix that cannot be started says why, not 'undefined'", async () => {
  const proc = new NixProcess({ cwd: "/", logger: createLogger({ level: "quiet" }), binary: process.execPath });
  // node refuses an argument list past the kernel's limit with E2BIG before it runs anything.
  const huge = Array.from({ length: 4 }, () => "x".repeat(200_000));
  const error = await proc.output(["-e", "0", ...huge], "path-info").then(
    () => new Error("it ran"),
    (e: unknown) => e as Error,
  );
  expect(error).toBeInstanceOf(Error);
  expect(error.message).not.toContain("undefined");
  expect(error.message).toMatch(/E2BIG|argument list too long/i);
});

let server: Server | undefined;
afterEach(() => server?.close());

test("a server that accepts and never answers: the download gives up after the connect timeout, saying so, and leaves no file", async () => {
  server = createServer(() => {}); // accepts, never writes
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  const file = path.join(tempDir(), "x.tgz");
  const silent: string[] = [];
  const started = Date.now();
  const error = await downloadChecked(
    `http://127.0.0.1:${port}/x.tgz`,
    file,
    `sha512-${createHash("sha512").update("").digest("base64")}`,
    {
      timeouts: { connectMs: 600, idleMs: 600, warnAfterMs: 200 },
      onSilence: (host) => silent.push(host),
    },
  ).then(
    () => new Error("it downloaded"),
    (e: unknown) => e as Error,
  );
  expect(Date.now() - started).toBeLessThan(3000);
  expect(error.message).toBe(`127.0.0.1:${port} sent no response within 0.6 s`);
  expect(silent).toEqual([`127.0.0.1:${port}`]);
  expect(existsSync(file)).toBe(false);
});

test("a body that stops midway gives up after the idle timeout; a body that does not hash to the lockfile's is refused", async () => {
  const { createServer: http } = await import("node:http");
  const body = Buffer.alloc(1 << 20, 7);
  const served = http((req, res) => {
    res.writeHead(200, { "content-length": String(body.length * 2) });
    res.write(body); // half, then silence
    if (req.url === "/whole") res.end(body);
  });
  server = served as unknown as Server;
  served.listen(0, "127.0.0.1");
  await once(served, "listening");
  const { port } = served.address() as { port: number };
  const dir = tempDir();
  const timeouts = { connectMs: 2000, idleMs: 500, warnAfterMs: 5000 };
  const stalled = await downloadChecked(`http://127.0.0.1:${port}/half`, path.join(dir, "a"), "sha512-AAAA", { timeouts }).then(
    () => new Error("it downloaded"),
    (e: unknown) => e as Error,
  );
  expect(stalled.message).toBe(`127.0.0.1:${port} sent nothing for 0.5 s`);
  const wrong = await downloadChecked(`http://127.0.0.1:${port}/whole`, path.join(dir, "b"), "sha512-AAAA", { timeouts }).then(
    () => new Error("it downloaded"),
    (e: unknown) => e as Error,
  );
  expect(wrong.message).toBe("its bytes do not match sha512-AAAA");
  expect(existsSync(path.join(dir, "a")) || existsSync(path.join(dir, "b"))).toBe(false);
  const good = `sha512-${createHash("sha512")
    .update(Buffer.concat([body, body]))
    .digest("base64")}`;
  await downloadChecked(`http://127.0.0.1:${port}/whole`, path.join(dir, "c"), good, { timeouts });
  expect(existsSync(path.join(dir, "c"))).toBe(true);
});
