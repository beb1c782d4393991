// Races and leftovers: an edit made while a cold `nixkit run` evaluates is never hidden by it;
// temp files a killed `generate` left in .nixkit/lib are noticed by --check and removed; the
// temporary GC roots of a killed build are swept by `nixkit gc`.
import { execa } from "execa";
import { chmodSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { nixkit, tempDir, versioned } from "../helpers.js";
import { editFile, exampleProject } from "./project.js";

test(
  versioned(
    "an edit made while a cold run evaluates makes the next run cold: the old environment is not served for the new inputs",
    "the flake evaluation cache under concurrent nix processes (gate before 2.11)",
  ),
  async () => {
    const dir = exampleProject();
    // A nix whose print-dev-env takes a second, so the edit lands while it runs.
    const bin = tempDir();
    const slowNix = path.join(bin, "nix");
    writeFileSync(slowNix, `#!/bin/sh\ncase "$*" in *print-dev-env*) sleep 1;; esac\nexec nix "$@"\n`);
    chmodSync(slowNix, 0o755);
    const env = { NIXKIT_NIX: slowNix };
    expect((await nixkit(["-C", dir, "generate"], { env })).exitCode).toBe(0);
    const cold = nixkit(["run", "--", "printenv", "GREETING"], { cwd: dir, env });
    await new Promise((r) => setTimeout(r, 500));
    editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace("GREETING: Hello", "GREETING: Edited"));
    expect((await cold).stdout.trim().split("\n").at(-1)).toBe("Hello");
    const next = await nixkit(["run", "--", "printenv", "GREETING"], { cwd: dir, env });
    expect(next.stdout.trim().split("\n").at(-1)).toBe("Edited");
  },
);

test("temp files a killed generate left in .nixkit/lib: --check reports them, generate removes them", async () => {
  const dir = exampleProject();
  expect((await nixkit(["-C", dir, "generate"])).exitCode).toBe(0);
  const dead = (await execa("sh", ["-c", "echo $$"])).stdout.trim();
  const leftover = `.default.nix.${dead}.k3j2h1.tmp`;
  writeFileSync(path.join(dir, ".nixkit/lib", leftover), "half a file");
  const check = await nixkit(["-C", dir, "generate", "--check"]);
  expect(check.exitCode).toBe(1);
  expect(check.stderr).toContain(`.nixkit/lib/${leftover}: a temp file an interrupted nixkit left`);
  expect((await nixkit(["-C", dir, "generate"])).exitCode).toBe(0);
  expect(readdirSync(path.join(dir, ".nixkit/lib")).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  expect((await nixkit(["-C", dir, "generate", "--check"])).exitCode).toBe(0);
});

test("temporary GC roots of a killed nixkit are swept by nixkit gc", async () => {
  const dir = exampleProject();
  const cache = tempDir();
  const env = { XDG_CACHE_HOME: cache };
  expect((await nixkit(["-C", dir, "build"], { env })).exitCode).toBe(0);
  const dead = (await execa("sh", ["-c", "echo $$"])).stdout.trim();
  const tmpRoot = path.join(cache, "nixkit/tmp-roots", `${dead}-AbCdEf`);
  mkdirSync(tmpRoot, { recursive: true });
  symlinkSync("/nix/store/00000000000000000000000000000000-gone", path.join(tmpRoot, "r"));
  expect((await nixkit(["-C", dir, "gc"], { env })).exitCode).toBe(0);
  expect(readdirSync(path.join(cache, "nixkit/tmp-roots"))).toEqual([]);
});
