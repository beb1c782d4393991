// Signing keys never leak and never half-work: NIXKIT_CACHE_SECRET_KEY may hold the key itself
// (never printed or written where it stays), a push that should be signed but cannot be fails
// (exit 3) instead of pushing unsigned, every path of a pushed closure ends up signed (also those
// the cache had), and the generated CI gives the key to the push step alone.
import { execa } from "execa";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { describe, expect, test } from "vitest";
import { cliPath, nixEnv, nixkit, tempDir, versioned } from "../helpers.js";
import { editFile, exampleProject, exampleWithCache } from "./project.js";

const RUN_ID = `${process.pid}-${Date.now()}`;

async function newKey(name: string): Promise<{ secret: string; publicKey: string }> {
  const nix = (args: string[], input?: string) =>
    execa("nix", ["--extra-experimental-features", "nix-command", "key", ...args], {
      input,
      stdin: input === undefined ? "ignore" : undefined,
    });
  const secret = (await nix(["generate-secret", "--key-name", name])).stdout.trim();
  const publicKey = (await nix(["convert-secret-to-public"], secret)).stdout.trim();
  return { secret, publicKey };
}

/** The example with a build of its own, a file:// cache, and `publicKeys`. */
function project(publicKeys: string[]) {
  const cache = tempDir();
  const dir = exampleWithCache(RUN_ID, `file://${cache}`, publicKeys);
  return { dir, cache, env: { XDG_CONFIG_HOME: tempDir(), XDG_CACHE_HOME: tempDir() } };
}

/** Every file's bytes below the directories, as one string to search. */
function contents(...dirs: string[]): string {
  let all = "";
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) all += readFileSync(full, "latin1");
    }
  };
  for (const dir of dirs) if (existsSync(dir)) walk(dir);
  return all;
}

const signers = (cache: string) =>
  readdirSync(cache)
    .filter((f) => f.endsWith(".narinfo"))
    .map((f) => {
      const sigs = readFileSync(path.join(cache, f), "utf8").match(/^Sig: (.*)$/gm) ?? [];
      return sigs.map((s) => s.slice(5).split(":")[0]).sort();
    });

describe("signing keys", () => {
  test("the key itself in NIXKIT_CACHE_SECRET_KEY signs, and appears in no output and no file left behind", async () => {
    const { secret, publicKey } = await newKey(`team-${RUN_ID}`);
    const { dir, cache, env } = project([publicKey]);
    const withKey = { ...env, NIXKIT_CACHE_SECRET_KEY: secret };
    const tmpBefore = readdirSync(os.tmpdir()).filter((f) => f.startsWith("nixkit-key-"));
    const outputs: string[] = [];
    for (const args of [
      ["build"],
      ["test"],
      ["-v", "cache", "push"],
      ["cache", "status"],
      ["-v", "ci", "--stages", "check,build"],
      ["doctor"],
    ]) {
      const result = await nixkit(["-C", dir, ...args], { env: withKey });
      outputs.push(result.stdout, result.stderr);
      if (args.includes("push")) expect(result.exitCode, result.stderr).toBe(0);
    }
    const material = secret.split(":")[1]!;
    expect(outputs.join("\n")).not.toContain(material);
    expect(contents(dir, cache, env.XDG_CONFIG_HOME, env.XDG_CACHE_HOME)).not.toContain(material);
    expect(readdirSync(os.tmpdir()).filter((f) => f.startsWith("nixkit-key-"))).toEqual(tmpBefore);
    expect(readdirSync(path.join(env.XDG_CACHE_HOME, "nixkit/signing-keys"))).toEqual([]);
    for (const sigs of signers(cache)) expect(sigs).toEqual([`team-${RUN_ID}`]);
  });

  test("a variable that is neither a key nor a file is refused without being printed", async () => {
    const { dir, cache, env } = project([]);
    expect((await nixkit(["-C", dir, "build"], { env })).exitCode).toBe(0);
    const bogus = `not-a-key-${RUN_ID}`;
    const result = await nixkit(["-C", dir, "cache", "push"], { env: { ...env, NIXKIT_CACHE_SECRET_KEY: bogus } });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain("NIXKIT_CACHE_SECRET_KEY holds neither a signing key nor the path of a file that exists");
    expect(result.stdout + result.stderr).not.toContain(bogus);
    expect(readdirSync(cache).filter((f) => f.endsWith(".narinfo"))).toEqual([]);
  });

  test("a cache that checks signatures gets nothing unsigned: no key is exit 3", async () => {
    const { publicKey } = await newKey(`team-${RUN_ID}`);
    const { dir, cache, env } = project([publicKey]);
    expect((await nixkit(["-C", dir, "build"], { env })).exitCode).toBe(0);
    const result = await nixkit(["-C", dir, "cache", "push"], { env });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain("the cache checks signatures (cache.publicKeys), but there is no signing key");
    expect(readdirSync(cache).filter((f) => f.endsWith(".narinfo"))).toEqual([]);
  });

  test(versioned("paths pushed unsigned before are signed by a later signed push", "nix store sign on a binary cache"), async () => {
    const { secret, publicKey } = await newKey(`late-${RUN_ID}`);
    const { dir, cache, env } = project([]);
    expect((await nixkit(["-C", dir, "build"], { env })).exitCode).toBe(0);
    expect((await nixkit(["-C", dir, "cache", "push", "builds"], { env })).exitCode).toBe(0);
    expect(signers(cache).every((s) => s.length === 0)).toBe(true);
    const signed = await nixkit(["-C", dir, "cache", "push", "builds"], { env: { ...env, NIXKIT_CACHE_SECRET_KEY: secret } });
    expect(signed.exitCode, signed.stderr).toBe(0);
    expect(signers(cache).length).toBeGreaterThan(0);
    for (const sigs of signers(cache)) expect(sigs).toEqual([`late-${RUN_ID}`]);
    expect(publicKey).toMatch(/^late-/);
  });
});

test("generated CI: the key reaches only the push step; nothing writes it to a file", async () => {
  const { dir, env } = project([`example:${"A".repeat(43)}=`]);
  editFile(path.join(dir, "nixkit.yaml"), (t) =>
    t.replace(
      "ci:\n  providers",
      "ci:\n  stages: [check, build, test, image, push]\n  registry: docker://registry.example.org/team\n  providers",
    ),
  );
  expect((await nixkit(["-C", dir, "generate"], { env })).exitCode).toBe(0);
  expect((await nixkit(["-C", dir, "ci", "generate"], { env })).exitCode).toBe(0);
  const github = parse(readFileSync(path.join(dir, ".github/workflows/nixkit.yml"), "utf8"));
  const steps = github.jobs.push.steps as { name?: string; run?: string; env?: Record<string, string> }[];
  const withKey = steps.filter((s) => JSON.stringify(s).includes("NIXKIT_CACHE_SECRET_KEY"));
  expect(withKey.map((s) => s.run)).toEqual(["nixkit ci --stages push --report nixkit-push.json"]);
  expect(steps.findIndex((s) => s.run === "nixkit ci --stages build,test,image")).toBeLessThan(steps.indexOf(withKey[0]!));
  expect(JSON.stringify(github)).not.toMatch(/cache\.sec|printf/);
  const gitlabText = readFileSync(path.join(dir, ".gitlab-ci.yml"), "utf8");
  expect(parse(gitlabText)["nixkit-push"].script).toEqual([
    "env -u NIXKIT_CACHE_SECRET_KEY nixkit ci --stages build,test,image",
    "nixkit ci --stages push --report nixkit-push.json",
  ]);
  expect(gitlabText).not.toMatch(/cache\.sec|printf/);
  expect(statSync(dir).isDirectory()).toBe(true);
});

test("a token in .npmrc never reaches the store: a project whose flake source would carry it is refused, naming the file and setting only", async () => {
  const dir = exampleProject();
  const token = `npm_TOKEN${RUN_ID.replace(/-/g, "")}`;
  writeFileSync(path.join(dir, ".npmrc"), `registry=https://npm.invalid/\n//npm.invalid/:_authToken=${token}\n`);
  writeFileSync(path.join(dir, "src/.env"), `API_TOKEN=${token}\n`);
  const marker = path.join(tempDir(), "before");
  writeFileSync(marker, "");
  for (const args of [["build"], ["test"], ["shell"], ["ci", "--stages", "check,build"]]) {
    const result = await nixkit(["-C", dir, ...args]);
    expect(result.exitCode, `${args.join(" ")}: ${result.stderr}`).toBe(2);
    expect(result.stderr).toContain(
      ".npmrc:2: //npm.invalid/:_authToken holds a credential, and Nix copies this file into the world-readable store",
    );
    expect(result.stderr).toContain("src/.env:1: API_TOKEN holds a credential");
    expect(result.stdout + result.stderr).not.toContain(token);
  }
  // Nothing added to the store since then holds the token.
  const added = (await execa("find", ["/nix/store", "-maxdepth", "1", "-cnewer", marker])).stdout.split("\n").filter(Boolean);
  const grep = await execa("grep", ["-rl", token, ...added, "/dev/null"], { reject: false });
  expect(grep.stdout).toBe("");
  // The usual committed form names a variable, and builds; the build's source has no .npmrc or .env.
  writeFileSync(path.join(dir, ".npmrc"), "registry=https://npm.invalid/\n//npm.invalid/:_authToken=${NPM_TOKEN}\n");
  writeFileSync(path.join(dir, "src/.env"), "API_TOKEN=\n");
  editFile(path.join(dir, "nixkit.yaml"), (t) =>
    t.replace('cp src/greet.awk "$out/share/greet/"', 'cp src/greet.awk "$out/share/greet/"; ls -A src > "$out/share/greet/sources"'),
  );
  const built = await nixkit(["-C", dir, "--json", "build"]);
  expect(built.exitCode, built.stderr).toBe(0);
  const out = (JSON.parse(built.stdout) as { builds: { outPath: string }[] }).builds[0]!.outPath;
  expect(readFileSync(path.join(out, "share/greet/sources"), "utf8").split("\n")).not.toContain(".env");
});

test("a push signed by a key cache.publicKeys does not list is refused (exit 3) naming the key and the listed ones; nothing is pushed", async () => {
  const listed = await newKey(`listed-${RUN_ID}`);
  const other = await newKey(`other-${RUN_ID}`);
  const { dir, cache, env } = project([listed.publicKey]);
  expect((await nixkit(["-C", dir, "build"], { env })).exitCode).toBe(0);
  const result = await nixkit(["-C", dir, "cache", "push"], { env: { ...env, NIXKIT_CACHE_SECRET_KEY: other.secret } });
  expect(result.exitCode).toBe(3);
  expect(result.stderr).toContain(`the signing key "other-${RUN_ID}" is not in cache.publicKeys (listed-${RUN_ID})`);
  expect(result.stderr).toContain(other.publicKey);
  expect(result.stdout + result.stderr).not.toContain(other.secret.split(":")[1]!);
  expect(readdirSync(cache).filter((f) => f.endsWith(".narinfo"))).toEqual([]);
  const good = await nixkit(["-C", dir, "cache", "push"], { env: { ...env, NIXKIT_CACHE_SECRET_KEY: listed.secret } });
  expect(good.exitCode, good.stderr).toBe(0);
  for (const sigs of signers(cache)) expect(sigs).toEqual([`listed-${RUN_ID}`]);
});

test("a push killed midway leaves its key file behind only until the next push, which sweeps it", async () => {
  const { secret, publicKey } = await newKey(`killed-${RUN_ID}`);
  const { dir, env } = project([publicKey]);
  const withKey = { ...env, NIXKIT_CACHE_SECRET_KEY: secret };
  expect((await nixkit(["-C", dir, "build"], { env })).exitCode).toBe(0);
  const keys = path.join(env.XDG_CACHE_HOME, "nixkit/signing-keys");
  const push = execa("node", [cliPath, "-C", dir, "cache", "push"], { env: { ...nixEnv, ...withKey }, reject: false, stdin: "ignore" });
  // Killed as soon as its key file exists (Nix is copying with it).
  let seen = false;
  for (let i = 0; i < 1000 && !seen; i++) {
    seen = existsSync(keys) && readdirSync(keys).length > 0;
    if (!seen) await new Promise((r) => setTimeout(r, 5));
  }
  push.kill("SIGKILL");
  await push;
  expect(seen).toBe(true);
  expect(readdirSync(keys)).toHaveLength(1);
  expect(statSync(keys).mode & 0o777).toBe(0o700);
  const again = await nixkit(["-C", dir, "cache", "push"], { env: withKey });
  expect(again.exitCode, again.stderr).toBe(0);
  expect(readdirSync(keys)).toEqual([]);
});
