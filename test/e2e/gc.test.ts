// GC with two projects and several generations each: old generations go, every latest shell,
// build and test result stays (shells enter warm, with no nix process), --dry-run changes
// nothing and its estimate is within 5 % of what the store GC frees; and a concurrent build
// survives a store GC, as do npm packages fetched ahead of the build that uses them.
import { execa } from "execa";
import { chmodSync, cpSync, existsSync, readlinkSync, realpathSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { cliPath, countingNix, nixEnv, nixkit, repoRoot, snapshotTree, tempDir, versioned } from "../helpers.js";
import { deleteDownloads, editFile, exampleProject, offlinePkgs } from "./project.js";

const RUN_ID = `${process.pid}-${Date.now()}`;

/** Three generations of the shell, the build and the tests, each different. */
async function projectWithGenerations(label: string) {
  const dir = exampleProject();
  const paths: { builds: string[]; envs: string[] } = { builds: [], envs: [] };
  for (let generation = 1; generation <= 3; generation++) {
    editFile(path.join(dir, "nixkit.yaml"), (t) =>
      t
        .replace(/GREETING: .*/, `GREETING: ${label}-${generation}-${RUN_ID}`)
        .replace(
          /(chmod \+x "\$out\/bin\/greet"\n)( {6}echo .* > "\$out\/gen"\n)?/,
          `$1      echo ${label}-${generation}-${RUN_ID} > "$out/gen"\n`,
        ),
    );
    expect((await nixkit(["-C", dir, "--json", "build"])).exitCode).toBe(0);
    expect((await nixkit(["-C", dir, "test"])).exitCode).toBe(0);
    expect((await nixkit(["run", "--", "true"], { cwd: dir })).exitCode).toBe(0);
    paths.builds.push(readlinkSync(path.join(dir, ".nixkit/cache/gcroots/builds/greet", String(generation), "root")));
    paths.envs.push(realpathSync(path.join(dir, ".nixkit/cache/shell/profile")));
  }
  return { dir, paths };
}

describe("fetched ahead, rooted until built", () => {
  test("npm packages fetched ahead stay rooted until the install is built: a store GC between the two takes none", async () => {
    const dir = tempDir("nixkit-rooted-");
    cpSync(path.join(repoRoot, "test/fixtures/node-deps"), dir, { recursive: true });
    editFile(path.join(dir, "package.json"), (t) => t.replace('"node-deps-fixture"', JSON.stringify(`rooted-${RUN_ID}`)));
    writeFileSync(
      path.join(dir, "nixkit.yaml"),
      `version: 1\nname: rooted\nsystems: [x86_64-linux]\ninputs:\n  nixpkgs: ${JSON.stringify(offlinePkgs())}\nbuilds:\n  app:\n    node: {}\n    script: mkdir -p $out && ls node_modules > $out/modules\n`,
    );
    // No other test runs beside this tier: the fixture's tarballs are dead, and go.
    await deleteDownloads(dir);

    // A store GC the moment nixkit asks Nix to build, after the fetch ahead.
    const wrapper = path.join(tempDir(), "nix");
    const mark = path.join(path.dirname(wrapper), "collected");
    writeFileSync(
      wrapper,
      `#!/bin/sh\ncase "$*" in *" build .#packages"*) if [ ! -e ${mark} ]; then touch ${mark}; nix --extra-experimental-features nix-command store gc > /dev/null 2>&1; fi ;; esac\nexec nix "$@"\n`,
    );
    // nixkit runs nix-store from beside its nix.
    writeFileSync(path.join(path.dirname(wrapper), "nix-store"), `#!/bin/sh\nexec nix-store "$@"\n`);
    for (const file of [wrapper, path.join(path.dirname(wrapper), "nix-store")]) chmodSync(file, 0o755);
    const built = await nixkit(["-C", dir, "-v", "build"], { env: { NIXKIT_NIX: wrapper } });
    expect(built.exitCode, built.stderr).toBe(0);
    expect(existsSync(mark)).toBe(true);
    expect(built.stderr).toMatch(/fetching \d+ package\(s\)/);
    // Nix fetched none itself: each was still in the store when the install was built.
    expect(built.stderr).not.toMatch(/^building \S+\.tgz$/m);
  });
});

describe("nixkit gc", () => {
  test(
    versioned(
      "two projects: old generations go, the latest stay, shells enter warm; dry-run is exact enough and changes nothing",
      "store gc's summary, gc roots and path-info sizes",
    ),
    async () => {
      const a = await projectWithGenerations("a");
      const b = await projectWithGenerations("b");
      // Warm entries use the nix binary as part of their key: make them through the counting wrapper.
      const counter = countingNix();
      for (const p of [a, b]) expect((await nixkit(["run", "--", "true"], { cwd: p.dir, env: counter.env })).exitCode).toBe(0);
      const callsBeforeGc = counter.calls().length;

      const before = snapshotTree(path.join(a.dir, ".nixkit"));
      const dry = await nixkit(["-C", a.dir, "--json", "gc", "--dry-run", "--keep", "1", "--keep-since", "0s"]);
      expect(dry.exitCode, dry.stderr).toBe(0);
      const plan = JSON.parse(dry.stdout) as { drop: { root: string; generation: number }[]; estimate: { bytes: number } };
      expect(plan.drop.map((d) => `${d.root}#${d.generation}`).sort()).toEqual(
        ["builds/greet#1", "builds/greet#2", "shell/env#1", "shell/env#2", "tests/run#1", "tests/run#2"].sort(),
      );
      expect(snapshotTree(path.join(a.dir, ".nixkit"))).toEqual(before);
      for (const old of a.paths.builds.slice(0, 2)) expect(existsSync(old)).toBe(true);

      const real = await nixkit(["-C", a.dir, "--json", "gc", "--store", "--keep", "1", "--keep-since", "0s"]);
      expect(real.exitCode, real.stderr).toBe(0);
      const summary = JSON.parse(real.stdout).store as string;
      const freedMiB = Number(summary.match(/([\d.]+) MiB freed/)![1]);
      expect(Math.abs(plan.estimate.bytes / 1048576 - freedMiB)).toBeLessThanOrEqual(Math.max(0.05 * freedMiB, 0.01));

      for (const old of a.paths.builds.slice(0, 2)) expect(existsSync(old)).toBe(false);
      for (const old of a.paths.envs.slice(0, 2)) expect(existsSync(old)).toBe(false);
      expect(existsSync(a.paths.builds[2]!)).toBe(true);
      for (const kept of [...b.paths.builds, ...b.paths.envs]) expect(existsSync(kept)).toBe(true); // the other project's roots
      expect((await nixkit(["-C", b.dir, "gc", "--store", "--keep", "1", "--keep-since", "0s"])).exitCode).toBe(0);

      for (const p of [a, b]) {
        const warm = await nixkit(["run", "--", "printenv", "GREETING"], { cwd: p.dir, env: counter.env });
        expect(warm.exitCode, warm.stderr).toBe(0);
        const tests = JSON.parse((await nixkit(["-C", p.dir, "--json", "test"])).stdout).tests;
        expect(tests[0]).toMatchObject({ status: "pass", cached: true });
      }
      expect(counter.calls().slice(callsBeforeGc)).toEqual([]); // warm: no nix process at all
    },
  );

  test(versioned("a store GC while another nixkit builds does not break the build", "Nix's temporary roots"), async () => {
    const dir = exampleProject();
    editFile(path.join(dir, "nixkit.yaml"), (t) =>
      t.replace('mkdir -p "$out/bin"', `sleep 3; echo ${RUN_ID} > /dev/null\n      mkdir -p "$out/bin"`),
    );
    const build = execa("node", [cliPath, "-C", dir, "--json", "build"], { env: nixEnv, reject: false });
    await new Promise((r) => setTimeout(r, 1500));
    const gc = await nixkit(["-C", exampleProject(), "gc", "--store"]);
    expect(gc.exitCode, gc.stderr).toBe(0);
    const result = await build;
    expect(result.exitCode, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout).builds[0].outPath as string;
    expect(existsSync(path.join(out, "bin/greet"))).toBe(true);
  });
});
