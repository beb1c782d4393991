// The spine end to end with real Nix 2.8, sandbox on, the offline package set, temp projects.
import { existsSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import { nix, nixkit, tempDir, writeTree, versioned } from "../helpers.js";
import { editFile, exampleProject, offlinePkgs, useOfflineNixpkgs } from "./project.js";

const sandbox = ["--option", "sandbox", "true"];

describe("a new project", () => {
  test(versioned("init -> generate -> plain `nix flake check` passes", "flake check of the generated flake"), async () => {
    const dir = tempDir();
    expect((await nixkit(["-C", dir, "init"])).exitCode).toBe(0);
    expect(readFileSync(path.join(dir, ".gitignore"), "utf8")).toBe(".nixkit/cache/\nresult*\n");
    useOfflineNixpkgs(dir);
    writeTree(dir, { "src/index.html": "<h1>hi</h1>\n" });
    const generated = await nixkit(["-C", dir, "generate"]);
    expect(generated.exitCode, generated.stderr).toBe(0);
    const check = await nix(["flake", "check", ...sandbox], dir);
    expect(check.exitCode, check.stderr).toBe(0);
    expect((await nixkit(["-C", dir, "generate", "--check"])).exitCode).toBe(0);
  });

  test("init refuses to overwrite a manifest without --force", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "nixkit.yaml"), "mine\n");
    const refused = await nixkit(["-C", dir, "init", "--template", "node"]);
    expect(refused.exitCode).toBe(2);
    expect(readFileSync(path.join(dir, "nixkit.yaml"), "utf8")).toBe("mine\n");
    expect((await nixkit(["-C", dir, "init", "--template", "python", "--force"])).exitCode).toBe(0);
    expect(readFileSync(path.join(dir, "nixkit.yaml"), "utf8")).toContain("python: { packages: [pytest] }");
    expect((await nixkit(["-C", dir, "init", "--template", "rust"])).stderr).toContain("templates: generic, node, python");
  });
});

describe("examples/hello", () => {
  test(versioned("`nix develop -c` sees the declared packages, env and hook", "nix develop of the generated shell"), async () => {
    const dir = exampleProject();
    expect((await nixkit(["-C", dir, "generate"])).exitCode).toBe(0);
    const shell = await nix(["develop", ...sandbox, "-c", "bash", "-c", 'hello; command -v awk; printf "%s\\n" "$GREETING"'], dir);
    expect(shell.exitCode, shell.stderr).toBe(0);
    const [greeting, awk, env] = shell.stdout.trim().split("\n").slice(-3);
    expect(greeting).toBe("Hello, world!");
    expect(awk).toMatch(/^\/nix\/store\/[0-9a-z]{32}-gawk-busybox\/bin\/awk$/);
    expect(env).toBe("Hello");
    expect(shell.stdout).toContain("hello dev shell");
  });

  test("`nixkit build` output runs, with a GC-rooted out-link", async () => {
    const dir = exampleProject();
    const built = await nixkit(["-C", dir, "--json", "build"]);
    expect(built.exitCode, built.stderr).toBe(0);
    const { builds } = JSON.parse(built.stdout) as { builds: { name: string; outPath: string }[] };
    expect(builds).toEqual([
      {
        name: "greet",
        status: "built",
        outPath: expect.stringMatching(/^\/nix\/store\/[0-9a-z]{32}-greet$/),
        outLink: "result-greet",
        detail: null,
      },
    ]);
    expect(readlinkSync(path.join(dir, "result-greet"))).toBe(builds[0]!.outPath);
    const run = await execa(path.join(dir, "result-greet/bin/greet"), ["ada", "ALAN"], { env: { GREETING: "Hi" } });
    expect(run.stdout).toBe("Hi, Ada!\nHi, Alan!\ngreeted 2 people");
  });

  test("plain `nix build .#NAME` works without nixkit", async () => {
    const dir = exampleProject();
    expect((await nixkit(["-C", dir, "generate"])).exitCode).toBe(0);
    const built = await nix(["build", ".#greet", ...sandbox], dir);
    expect(built.exitCode, built.stderr).toBe(0);
    expect((await execa(path.join(dir, "result/bin/greet"), ["grace"])).stdout).toBe("Hello, Grace!\ngreeted 1 person");
  });

  test(
    versioned("tests pass; a failing test fails `nix flake check` and `nixkit test` exits 1 with its log", "internal-json build logs"),
    async () => {
      const dir = exampleProject();
      const passing = await nixkit(["-C", dir, "test"]);
      expect(passing.exitCode, passing.stderr).toBe(0);
      expect(passing.stdout).toMatch(/^unit\s+PASS\s+(ran|cached)\s/m);

      editFile(path.join(dir, "tests/run-tests.sh"), (t) =>
        t.replace("'Hello, Ada!\\ngreeted 1 person'", "'Howdy, Ada!\\ngreeted 1 person'"),
      );
      const check = await nix(["flake", "check", ...sandbox], dir);
      expect(check.exitCode).not.toBe(0);
      expect(check.stderr).toContain("FAIL one name");

      const failing = await nixkit(["-C", dir, "test"]);
      expect(failing.exitCode).toBe(1);
      expect(failing.stdout).toMatch(/^unit\s+FAIL\s+(ran|cached)\s/m);
      expect(failing.stderr).toContain("test unit failed (exit 1); its full log:");
      expect(failing.stderr).toContain("  FAIL one name");
      expect(failing.stderr).toContain("  4 passed, 1 failed");
    },
  );

  test(versioned("builds run in the sandbox even though nix.conf has it off", "the sandbox option as Nix takes it"), async () => {
    const dir = exampleProject();
    editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace('mkdir -p "$out/bin"', 'ls /usr/bin >/dev/null\n      mkdir -p "$out/bin"'));
    const built = await nixkit(["-C", dir, "build"]);
    expect(built.exitCode).toBe(1);
    expect(built.stderr).toMatch(/\/usr\/bin.*No such file or directory/);
  });

  test(
    versioned("an unknown package is a manifest error at its line:col, not a Nix trace", "Nix's evaluation error, which nixkit places"),
    async () => {
      const dir = exampleProject();
      editFile(path.join(dir, "nixkit.yaml"), (t) =>
        t.replace("packages: [gawk, gnused, coreutils]", "packages: [gawk, gnused, coreutils, nosuchpkg]"),
      );
      const built = await nixkit(["-C", dir, "build"]);
      expect(built.exitCode).toBe(2);
      expect(built.stderr).toContain('nixkit.yaml:19:41 builds.greet.packages[3]: package "nosuchpkg" is not in input "nixpkgs"');
      expect(built.stderr).not.toContain("stack trace");
    },
  );

  test(versioned("--nixpkgs overrides the input without writing flake.lock", "--override-input and lock writing"), async () => {
    const dir = exampleProject();
    editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace(/^ {2}nixpkgs: .*$/m, "  nixpkgs: github:NixOS/nixpkgs/nixos-24.11"));
    const built = await nixkit(["-C", dir, "--nixpkgs", offlinePkgs(), "build"]);
    expect(built.exitCode, built.stderr).toBe(0);
    expect(existsSync(path.join(dir, "flake.lock"))).toBe(false);
    const viaEnv = await nixkit(["-C", dir, "build"], { env: { NIXKIT_NIXPKGS: offlinePkgs() } });
    expect(viaEnv.exitCode, viaEnv.stderr).toBe(0);
  });

  test("`nixkit run` exits with the command's own code and sees the env", async () => {
    const dir = exampleProject();
    const ok = await nixkit(["-C", dir, "run", "--", "bash", "-c", 'echo "$GREETING"; exit 7']);
    expect(ok.exitCode).toBe(7);
    expect(ok.stdout.trim().split("\n").at(-1)).toBe("Hello");
  });
});
