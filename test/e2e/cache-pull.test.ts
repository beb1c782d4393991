// cache pull and status say what they did: an unusable cache is an error (exit 3, with the
// reason), --from is the only cache used, and after a full push a store without the project's
// outputs gets all of them back (builds, test reports, image roots, the dev environment) with
// nothing built, so `nixkit run` enters at once and the image builds.
import { execa } from "execa";
import { mkdirSync, readdirSync, readlinkSync, realpathSync, rmSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { countingNix, nixkit, tempDir, versioned } from "../helpers.js";
import { editFile, exampleProject } from "./project.js";
import { freePort } from "./servers.js";

const RUN_ID = `${process.pid}-${Date.now()}`;

describe("an unusable cache is an error", () => {
  test.each([
    ["a file:// cache that does not exist", () => Promise.resolve("file:///nonexistent-nixkit-cache"), "does not exist"],
    ["an http cache nobody answers", async () => `http://127.0.0.1:${await freePort()}`, "ECONNREFUSED"],
  ])("%s: pull and status exit 3 with the reason", async (_what, url, reason) => {
    const dir = exampleProject();
    const from = await url();
    for (const verb of ["pull", "status"]) {
      const result = await nixkit(["-C", dir, "cache", verb, "--from", from]);
      expect(result.exitCode, result.stderr).toBe(3);
      expect(result.stderr).toContain(`the binary cache ${from} cannot be used`);
      expect(result.stderr).toContain(reason);
    }
  });
});

test(
  versioned(
    "after a full push, a store without the project's outputs gets them all back, building nothing",
    "substitution-only builds and print-dev-env from a cache",
  ),
  async () => {
    const dir = exampleProject();
    const cache = tempDir();
    const env = { XDG_CONFIG_HOME: tempDir() };
    const publicKey = (await nixkit(["cache", "keygen", "--name", `pull-${process.pid}`], { env })).stdout.trim();
    // A dead cache.url: --from must be the only cache a pull uses.
    const dead = `http://127.0.0.1:${await freePort()}`;
    editFile(
      path.join(dir, "nixkit.yaml"),
      (t) =>
        t
          .replace(/GREETING: .*/, `GREETING: pulled-${RUN_ID}`)
          .replace('chmod +x "$out/bin/greet"', `chmod +x "$out/bin/greet"\n      echo ${RUN_ID} > "$out/share/greet/stamp"`) +
        `cache:\n  url: ${dead}\n  publicKeys: [${JSON.stringify(publicKey)}]\n`,
    );
    for (const args of [["build"], ["test"], ["image", "build", "greeter"], ["run", "--", "true"]]) {
      const result = await nixkit(["-C", dir, ...args], { env });
      expect(result.exitCode, `${args.join(" ")}: ${result.stderr}`).toBe(0);
    }
    const push = await nixkit(
      [
        "-C",
        dir,
        "cache",
        "push",
        "--key-file",
        path.join(env.XDG_CONFIG_HOME, `nixkit/keys/pull-${process.pid}.sec`),
        "--to",
        `file://${cache}`,
      ],
      { env },
    );
    expect(push.exitCode, push.stderr).toBe(0);
    const status = JSON.parse((await nixkit(["-C", dir, "--json", "cache", "status", "--from", `file://${cache}`], { env })).stdout);
    expect(status.closures.map((c: { missing: number }) => c.missing)).toEqual([0, 0, 0, 0]);

    // The project's own outputs leave the store: its roots go, then the paths themselves.
    const state = path.join(dir, ".nixkit/cache");
    const roots = path.join(state, "gcroots");
    const own = [
      realpathSync(path.join(state, "shell/profile")),
      ...["builds", "tests", "images"].flatMap((kind) =>
        readdirSync(path.join(roots, kind)).flatMap((name) => {
          const gens = readdirSync(path.join(roots, kind, name)).sort((a, b) => Number(b) - Number(a));
          return readdirSync(path.join(roots, kind, name, gens[0]!)).map((l) => readlinkSync(path.join(roots, kind, name, gens[0]!, l)));
        }),
      ),
    ];
    rmSync(state, { recursive: true, force: true });
    for (const link of readdirSync(dir).filter((f) => f.startsWith("result"))) rmSync(path.join(dir, link));
    mkdirSync(state);
    const deleted = await execa("nix", ["--extra-experimental-features", "nix-command", "store", "delete", ...own], { reject: false });
    expect(deleted.exitCode, deleted.stderr).toBe(0);
    for (const p of own) expect((await execa("test", ["-e", p], { reject: false })).exitCode).toBe(1);

    // The nix binary is part of the dev environment's key: pull and enter through the same one.
    const counter = countingNix();
    const pull = await nixkit(["-C", dir, "cache", "pull", "--from", `file://${cache}`], { env: { ...env, ...counter.env } });
    expect(pull.exitCode, pull.stderr).toBe(0);
    expect(pull.stdout).toContain(`pulled 2 build and test output(s), 1 image root(s), the dev environment from file://${cache}`);
    for (const p of own) expect((await execa("test", ["-e", p], { reject: false })).exitCode, p).toBe(0);

    // The dev shell enters warm: no nix process at all.
    const calls = counter.calls().length;
    const enter = await nixkit(["run", "--", "printenv", "GREETING"], { cwd: dir, env: { ...env, ...counter.env } });
    expect(enter.stdout.trim().split("\n").at(-1)).toBe(`pulled-${RUN_ID}`);
    expect(counter.calls().length).toBe(calls);
    const image = await nixkit(["-C", dir, "image", "build", "greeter"], { env });
    expect(image.exitCode, image.stderr).toBe(0);
  },
);

test("the push stage on a fresh clone says what is missing instead of running nix copy with nothing", async () => {
  const dir = exampleProject();
  editFile(
    path.join(dir, "nixkit.yaml"),
    (t) =>
      t.replace("ci:\n  providers", "ci:\n  stages: [check, build, test, image, push]\n  providers") +
      `cache:\n  url: file://${tempDir()}\n`,
  );
  const result = await nixkit(["-C", dir, "ci", "--stages", "push"]);
  expect(result.exitCode).toBe(1);
  expect(result.stdout).toMatch(
    /push\s+binary-cache\s+FAILED\s+-\s+\S+\s+nothing to push: the build, test and image stages have not run here/,
  );
});
