// The binary cache against a real nginx (WebDAV PUT) on 127.0.0.1: push, restore into another
// store by substitution only, signature checks, a tampered NAR, a dead cache.
import { readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { nixkit, tempDir, versioned } from "../helpers.js";
import { editFile, exampleWithCache } from "./project.js";
import { freePort, startNginx, type Server } from "./servers.js";

// A fresh cache for every test, so each starts without the paths it pushes.
let server: Server;
beforeEach(async () => {
  server = await startNginx();
});
afterEach(async () => server.stop());

const RUN_ID = `${process.pid}-${Date.now()}`;

/** The example with a unique build (so the cache and stores start without it) and this cache. */
async function cachedProject(keys: string[], url = server.url) {
  return { dir: exampleWithCache(RUN_ID, url, keys), env: { XDG_CONFIG_HOME: tempDir() } };
}

async function keygen(env: Record<string, string>, name: string) {
  const result = await nixkit(["cache", "keygen", "--name", name], { env });
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout.trim();
}

describe("nixkit cache", () => {
  test("keygen: secret 0600 outside the project and never printed; public key printed; no silent replace", async () => {
    const env = { XDG_CONFIG_HOME: tempDir() };
    const result = await nixkit(["cache", "keygen", "--name", "team-1"], { env });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^team-1:[A-Za-z0-9+/]{43}=$/);
    const secretFile = path.join(env.XDG_CONFIG_HOME, "nixkit/keys/team-1.sec");
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const secret = readFileSync(secretFile, "utf8").split(":")[1]!;
    expect(result.stdout + result.stderr).not.toContain(secret);
    // Asked again: the existing public key (what the user came for), the key untouched, and how to replace it.
    const again = await nixkit(["cache", "keygen", "--name", "team-1"], { env });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toBe(result.stdout);
    expect(again.stderr).toContain("To replace it: nixkit cache keygen --force");
    expect(readFileSync(secretFile, "utf8").split(":")[1]).toBe(secret);
  });

  test(
    versioned(
      "push over HTTP PUT (zstd, signed), status, then restore into a separate store by substitution only",
      "nix copy, nix store sign and path-info --json (a map from 2.19)",
    ),
    async () => {
      const keyEnv = { XDG_CONFIG_HOME: tempDir() };
      const publicKey = await keygen(keyEnv, "hello");
      const { dir, env } = await cachedProject([publicKey]);
      Object.assign(env, keyEnv);
      expect((await nixkit(["-C", dir, "build"], { env })).exitCode).toBe(0);
      const before = JSON.parse((await nixkit(["-C", dir, "--json", "cache", "status", "builds"], { env })).stdout);
      expect(before.closures[0]).toMatchObject({ kind: "builds", paths: 4 });
      expect(before.closures[0].missing).toBeGreaterThan(0);

      const pushed = await nixkit(["-C", dir, "cache", "push", "builds"], { env });
      expect(pushed.exitCode, pushed.stderr).toBe(0);
      expect(pushed.stdout).toContain("signed");
      const greet = readlinkSync(path.join(dir, "result-greet"));
      const info = readFileSync(path.join(server.root, `${path.basename(greet).slice(0, 32)}.narinfo`), "utf8");
      expect(info).toMatch(/^Compression: zstd$/m);
      expect(info).toMatch(/^Sig: hello:/m);
      const after = JSON.parse((await nixkit(["-C", dir, "--json", "cache", "status", "builds"], { env })).stdout);
      expect(after.closures[0]).toMatchObject({ missing: 0, missingBytes: 0 });
      expect(readFileSync(path.join(dir, "flake.nix"), "utf8")).toContain(`extra-substituters = [ "${server.url}" ];`);

      const store = tempDir();
      const pulled = await nixkit(["-C", dir, "cache", "pull", "--store", store, "builds"], { env });
      expect(pulled.exitCode, pulled.stderr).toBe(0);
      expect(readdirSync(path.join(store, "nix/store")).some((p) => p.endsWith("-greet"))).toBe(true);
    },
  );

  test(versioned("a cache signed by an unknown key is refused", "Nix's refusal of an unsigned path, which nixkit words"), async () => {
    const keyEnv = { XDG_CONFIG_HOME: tempDir() };
    const ours = await keygen(keyEnv, "hello");
    const other = await keygen({ XDG_CONFIG_HOME: tempDir() }, "someone-else");
    const { dir, env } = await cachedProject([ours]);
    Object.assign(env, keyEnv);
    expect((await nixkit(["-C", dir, "build"], { env })).exitCode).toBe(0);
    expect((await nixkit(["-C", dir, "cache", "push", "builds"], { env })).exitCode).toBe(0);
    // The readers now trust another key only (a key rotated without re-signing the cache).
    editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace(ours, other));
    const pulled = await nixkit(["-C", dir, "cache", "pull", "--store", tempDir(), "builds"], { env });
    expect(pulled.exitCode).not.toBe(0);
    expect(pulled.stderr).toContain(`refused: the cache ${server.url} has paths signed by none of cache.publicKeys (${other})`);
  });

  test(versioned("a tampered NAR is detected", "Nix's hash-mismatch error, which nixkit words"), async () => {
    const keyEnv = { XDG_CONFIG_HOME: tempDir() };
    const publicKey = await keygen(keyEnv, "hello");
    const { dir, env } = await cachedProject([publicKey]);
    Object.assign(env, keyEnv);
    expect((await nixkit(["-C", dir, "build"], { env })).exitCode).toBe(0);
    expect((await nixkit(["-C", dir, "cache", "push", "--compression", "none", "builds"], { env })).exitCode).toBe(0);
    const greet = readlinkSync(path.join(dir, "result-greet"));
    const greetInfo = readFileSync(path.join(server.root, `${path.basename(greet).slice(0, 32)}.narinfo`), "utf8");
    const narFile = path.join(server.root, greetInfo!.match(/^URL: (.*)$/m)![1]!);
    const nar = readFileSync(narFile);
    const at = nar.indexOf(RUN_ID); // inside the stamp file's contents, not the NAR's structure
    nar[at] = nar[at] === 0x31 ? 0x32 : 0x31;
    writeFileSync(narFile, nar);
    const pulled = await nixkit(["-C", dir, "cache", "pull", "--store", tempDir(), "builds"], { env });
    expect(pulled.exitCode).not.toBe(0);
    expect(pulled.stderr).toContain(`refused: the cache ${server.url} served a corrupt NAR`);
  });

  test("an unreachable cache: builds skip it within 5 s with a warning; status and push say it cannot be used", async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const { dir, env } = await cachedProject([], dead);
    const start = Date.now();
    const status = await nixkit(["-C", dir, "cache", "status"], { env });
    expect(Date.now() - start).toBeLessThan(5000);
    expect(status.exitCode).toBe(3);
    expect(status.stderr).toContain(`the binary cache ${dead} cannot be used: it cannot be reached (ECONNREFUSED)`);
    const built = await nixkit(["-C", dir, "build"], { env });
    expect(built.exitCode, built.stderr).toBe(0);
    expect(built.stderr).toContain("skipping the binary cache");
    expect((await nixkit(["-C", dir, "cache", "push"], { env })).exitCode).toBe(3);
    const doctor = JSON.parse((await nixkit(["-C", dir, "--json", "doctor"], { env })).stdout) as {
      checks: { name: string; status: string; detail: string }[];
    };
    expect(doctor.checks.find((c) => c.name === "cache")).toMatchObject({
      status: "WARN",
      detail: expect.stringContaining(`${dead}: it cannot be reached`),
    });
  });
});

describe("an authenticated cache", () => {
  test("credentials from Nix's netrc-file: push, status and pull work, and the manifest's URL carries none", async () => {
    const password = `pw-${RUN_ID}`;
    const locked = await startNginx("127.0.0.1", { user: "ci", password });
    try {
      const netrc = path.join(tempDir(), "netrc");
      writeFileSync(netrc, `machine 127.0.0.1 login ci password ${password}\n`, { mode: 0o600 });
      const keyEnv = { XDG_CONFIG_HOME: tempDir() };
      const publicKey = await keygen(keyEnv, "hello");
      const dir = exampleWithCache(RUN_ID, locked.url, [publicKey]);
      const env = { ...keyEnv, NIX_CONFIG: `substituters =\nexperimental-features = nix-command flakes\nnetrc-file = ${netrc}` };
      expect((await nixkit(["-C", dir, "build"], { env })).exitCode).toBe(0);
      const outputs: string[] = [];
      for (const args of [
        ["cache", "push", "builds"],
        ["cache", "status"],
        ["cache", "pull", "--store", tempDir(), "builds"],
      ]) {
        const result = await nixkit(["-C", dir, ...args], { env });
        expect(result.exitCode, `${args.join(" ")}: ${result.stderr}`).toBe(0);
        outputs.push(result.stdout, result.stderr);
      }
      expect(readdirSync(locked.root).some((f) => f.endsWith(".narinfo"))).toBe(true);
      // A URL given with credentials for one run works and is printed without them.
      const once = await nixkit(
        ["-C", dir, "--json", "cache", "push", "--to", locked.url.replace("http://", `http://ci:${password}@`), "builds"],
        { env: keyEnv },
      );
      expect(once.exitCode, once.stderr).toBe(0);
      outputs.push(once.stdout, once.stderr);
      expect(outputs.join("\n")).not.toContain(password);
      expect(once.stdout).toContain("http://***@127.0.0.1");
    } finally {
      await locked.stop();
    }
  });
});
