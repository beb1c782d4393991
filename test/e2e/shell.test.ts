// Dev shells with real Nix: parity with `nix develop`, the warm path's zero nix processes,
// invalidation by every input, GC safety, concurrency, interruption, --pure, direnv.
import { execa } from "execa";
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { cliPath, countingNix, nix, nixEnv, nixkit, tempDir, versioned } from "../helpers.js";
import { editFile, exampleProject, offlinePkgs } from "./project.js";

// Differ between any two entries, or are set by nixkit/nix develop themselves (README "Dev shells").
const VOLATILE = new Set(["NIX_BUILD_TOP", "TMP", "TMPDIR", "TEMP", "TEMPDIR", "SHLVL", "_", "NIXKIT_PROJECT", "OLDPWD"]);

function parseEnv(dump: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of dump.split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0 && !VOLATILE.has(entry.slice(0, eq))) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

// From inside the project, as a user would (the command runs in the caller's directory).
const run = (dir: string, args: string[], env: Record<string, string> = {}) => nixkit(["run", ...args], { env, cwd: dir });
const cacheEntries = (dir: string) => readdirSync(path.join(dir, ".nixkit/cache/shell")).filter((f) => f.endsWith(".rc"));

describe("nixkit run", () => {
  test(
    versioned("gives the same environment as `nix develop` (PATH, exported variables), hook included", "print-dev-env's JSON"),
    async () => {
      const dir = exampleProject();
      const ours = await run(dir, ["--", "env", "-0"]);
      expect(ours.exitCode, ours.stderr).toBe(0);
      const theirs = await nix(["develop", "--option", "sandbox", "true", "-c", "env", "-0"], dir);
      expect(theirs.exitCode, theirs.stderr).toBe(0);
      // nix develop -c prints the hook's line first; nixkit run sends it to stderr.
      const strip = (out: string) => out.slice(out.indexOf("\n") + 1);
      expect(ours.stderr).toContain("hello dev shell");
      expect(parseEnv(ours.stdout)).toEqual(parseEnv(strip(theirs.stdout)));
      expect(parseEnv(ours.stdout).PATH).toMatch(/-hello-2\.12\.1\/bin:.*:\/usr\/bin/);
    },
  );

  test("runs the command when the hook's last step fails, as nix develop -c does; the hook's output goes to stderr", async () => {
    const dir = exampleProject();
    editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace(/^ {2}hook: .*$/m, "  hook: 'echo from-hook; [ -f .env ] && . .env'"));
    const result = await run(dir, ["--", "echo", "CMD"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe("CMD");
    expect(result.stderr).toContain("from-hook");
  });

  test("runs the hook exactly once, passes stdin, and exits with the command's code", async () => {
    const dir = exampleProject();
    editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace(/^ {2}hook: .*$/m, '  hook: echo hooked >> "$NIXKIT_PROJECT/hook.log"'));
    const result = await execa("node", [cliPath, "-C", dir, "run", "--", "bash", "-c", "cat; exit 7"], {
      env: nixEnv,
      input: "from stdin\n",
      reject: false,
    });
    expect(result.exitCode).toBe(7);
    expect(result.stdout).toBe("from stdin");
    expect(readFileSync(path.join(dir, "hook.log"), "utf8")).toBe("hooked\n");
  });

  test("forwards SIGTERM to the command and reports it like a shell (128+15)", async () => {
    const dir = exampleProject();
    await run(dir, ["--", "true"]);
    const child = execa("node", [cliPath, "-C", dir, "run", "--", "bash", "-c", "echo ready; exec sleep 30"], {
      env: nixEnv,
      reject: false,
    });
    await new Promise<void>((resolve) => child.stdout!.on("data", (c: Buffer) => c.toString().includes("ready") && resolve()));
    child.kill("SIGTERM");
    const result = await child;
    expect(result.exitCode).toBe(143);
    expect((await execa("pgrep", ["-f", "exec sleep 30"], { reject: false })).stdout).toBe("");
  });

  test("a warm entry starts no nix process; each input change is noticed and the new env served", async () => {
    const dir = exampleProject();
    const counter = countingNix();
    const greeting = async () => (await run(dir, ["--", "printenv", "GREETING"], counter.env)).stdout.split("\n").at(-1);
    expect(await greeting()).toBe("Hello");
    const cold = counter.calls().length;
    expect(cold).toBeGreaterThan(0);
    expect(await greeting()).toBe("Hello");
    expect(counter.calls().length).toBe(cold); // warm: zero nix processes

    editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace("GREETING: Hello", "GREETING: Howdy"));
    expect(await greeting()).toBe("Howdy");
    expect(counter.calls().some((c) => c.includes("print-dev-env"))).toBe(true);

    const invalidates = async (change: () => void) => {
      const before = counter.calls().filter((c) => c.includes("print-dev-env")).length;
      change();
      expect(await greeting()).toBe("Howdy");
      return counter.calls().filter((c) => c.includes("print-dev-env")).length - before;
    };
    expect(
      await invalidates(() => writeFileSync(path.join(dir, "flake.lock"), readFileSync(path.join(dir, "flake.lock"), "utf8") + "\n")),
    ).toBe(1);
    // An edited vendored library is noticed, restored by regeneration, and the cached env served.
    const lib = path.join(dir, ".nixkit/lib/per-system.nix");
    const original = readFileSync(lib, "utf8");
    expect(await invalidates(() => writeFileSync(lib, original + "# edited\n"))).toBe(0);
    expect(readFileSync(lib, "utf8")).toBe(original);
    expect(await invalidates(() => {})).toBe(0);
  });

  test("the --nixpkgs override is keyed by its content, and a new nix binary invalidates", async () => {
    const dir = exampleProject();
    editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace(/^ {2}nixpkgs: .*$/m, "  nixpkgs: github:NixOS/nixpkgs/nixos-24.11"));
    const copy = path.join(tempDir(), "offline");
    cpSync(offlinePkgs().replace(/^path:/, ""), copy, { recursive: true });
    rmSync(path.join(copy, ".nixkit-immutable")); // an ordinary, editable checkout: keyed by its files
    const counter = countingNix();
    const entry = () => nixkit(["-C", dir, "--nixpkgs", `path:${copy}`, "run", "--", "true"], { env: counter.env });
    const pde = () => counter.calls().filter((c) => c.includes("print-dev-env")).length;
    expect((await entry()).exitCode).toBe(0);
    expect((await entry()).exitCode).toBe(0);
    expect(pde()).toBe(1);
    editFile(path.join(copy, "hello.nix"), (t) => t.replace("2.12.1", "2.12.2"));
    expect((await entry()).exitCode).toBe(0);
    expect(pde()).toBe(2);
    const other = countingNix(); // a different nix binary
    expect((await nixkit(["-C", dir, "--nixpkgs", `path:${copy}`, "run", "--", "true"], { env: other.env })).exitCode).toBe(0);
    expect(other.calls().some((c) => c.includes("print-dev-env"))).toBe(true);
  });

  test("--pure keeps only the documented variables and the environment's own PATH", async () => {
    const dir = exampleProject();
    const result = await nixkit(["run", "--pure", "--", "env", "-0"], { env: { MY_SECRET: "x", LANG: "C.UTF-8" }, cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    const env = parseEnv(result.stdout);
    expect(env.MY_SECRET).toBeUndefined();
    expect(env.LANG).toBe("C.UTF-8");
    expect(env.GREETING).toBe("Hello");
    expect(env.PATH).not.toContain("/usr/bin");
  });
});

describe("store safety and failure", () => {
  test(
    versioned("after `nix store gc` a warm entry still works without rebuilding", "the profile GC root print-dev-env makes"),
    async () => {
      const dir = exampleProject();
      const counter = countingNix(); // the nix binary is part of the key: use the same one throughout
      expect((await run(dir, ["--", "hello"], counter.env)).exitCode).toBe(0);
      const before = counter.calls().length;
      const gc = await nix(["store", "gc"], dir);
      expect(gc.exitCode, gc.stderr).toBe(0);
      expect(gc.stdout + gc.stderr).toMatch(/store paths deleted/);
      const after = await run(dir, ["--", "hello"], counter.env);
      expect(after.exitCode, after.stderr).toBe(0);
      expect(after.stdout.split("\n").at(-1)).toBe("Hello, world!");
      expect(counter.calls().length).toBe(before);
    },
  );

  test("a cached env whose store paths were collected anyway (GC root deleted) is rebuilt, not served", async () => {
    const dir = exampleProject();
    // A value no other project has, so no other GC root keeps this env's store path alive.
    editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace("GREETING: Hello", `GREETING: Hello-${process.pid}-${Date.now()}`));
    expect((await run(dir, ["--", "hello"])).exitCode).toBe(0);
    const rc = cacheEntries(dir)[0]!;
    const root = readFileSync(path.join(dir, ".nixkit/cache/shell", rc), "utf8")
      .split("\n")[0]!
      .replace("# nixkit-env-root: ", "");
    for (const f of readdirSync(path.join(dir, ".nixkit/cache/shell")))
      if (f.startsWith("profile")) rmSync(path.join(dir, ".nixkit/cache/shell", f));
    expect((await nix(["store", "gc"], dir)).exitCode).toBe(0);
    expect(existsSync(root)).toBe(false);
    const after = await run(dir, ["--", "hello"]);
    expect(after.exitCode, after.stderr).toBe(0);
    expect(after.stdout.split("\n").at(-1)).toBe("Hello, world!");
  });

  test(versioned("two cold entries at once: both work, one cache entry", "concurrent print-dev-env and the eval cache"), async () => {
    const dir = exampleProject();
    await nixkit(["-C", dir, "generate"]);
    const [a, b] = await Promise.all([run(dir, ["--", "printenv", "GREETING"]), run(dir, ["--", "printenv", "GREETING"])]);
    expect([a!.exitCode, b!.exitCode]).toEqual([0, 0]);
    expect([a!.stdout.split("\n").at(-1), b!.stdout.split("\n").at(-1)]).toEqual(["Hello", "Hello"]);
    expect(cacheEntries(dir)).toHaveLength(1);
  });

  test("a cold entry killed midway leaves no cache entry", async () => {
    const dir = exampleProject();
    await nixkit(["-C", dir, "generate"]);
    const slow = path.join(tempDir(), "nix");
    writeFileSync(slow, '#!/bin/sh\ncase "$*" in *print-dev-env*) sleep 2 ;; esac\nexec nix "$@"\n');
    chmodSync(slow, 0o755);
    const child = execa("node", [cliPath, "-C", dir, "run", "--", "true"], { env: { ...nixEnv, NIXKIT_NIX: slow }, reject: false });
    await new Promise((r) => setTimeout(r, 700));
    child.kill("SIGKILL");
    await child;
    const left = readdirSync(path.join(dir, ".nixkit/cache/shell")).filter(
      (f) => f.endsWith(".rc") || f === "latest" || f.endsWith(".tmp"),
    );
    expect(left).toEqual([]);
    expect((await run(dir, ["--", "true"])).exitCode).toBe(0);
  });

  test("an unknown package names its manifest line; --stale-ok falls back loudly to the last env", async () => {
    const dir = exampleProject();
    expect((await run(dir, ["--", "true"])).exitCode).toBe(0);
    editFile(path.join(dir, "nixkit.yaml"), (t) =>
      t.replace("packages: [hello, gawk, coreutils, gnugrep, gnused]", "packages: [hello, nosuchtool]"),
    );
    const broken = await run(dir, ["--", "true"]);
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr).toContain('nixkit.yaml:10:21 shell.packages[1]: package "nosuchtool" is not in input "nixpkgs"');
    const stale = await run(dir, ["--stale-ok", "--", "printenv", "GREETING"]);
    expect(stale.exitCode).toBe(0);
    expect(stale.stderr).toContain("THE DEV ENVIRONMENT IS STALE");
    expect(stale.stdout.split("\n").at(-1)).toBe("Hello");
  });
});

describe("env, direnv and the interactive shell", () => {
  test("`env --direnv` sourced by bash gives the same environment as `nixkit run`", async () => {
    const dir = exampleProject();
    const direnv = await nixkit(["env", "--direnv"], { cwd: dir });
    expect(direnv.exitCode, direnv.stderr).toBe(0);
    const sourced = await execa("bash", ["--norc", "--noprofile", "-c", 'eval "$0" >/dev/null && env -0', direnv.stdout], {
      env: nixEnv,
      cwd: dir,
    });
    const viaRun = await run(dir, ["--", "env", "-0"]);
    expect(parseEnv(sourced.stdout)).toEqual(parseEnv(viaRun.stdout));
  });

  test("`env --json` and `direnv` write what direnv needs", async () => {
    const dir = exampleProject();
    const json = await nixkit(["-C", dir, "--json", "env"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ GREETING: "Hello", IN_NIX_SHELL: "impure", NIXKIT_PROJECT: dir });
    expect((await nixkit(["-C", dir, "direnv"])).exitCode).toBe(0);
    const envrc = readFileSync(path.join(dir, ".envrc"), "utf8");
    expect(envrc).toContain("watch_file nixkit.yaml flake.nix flake.lock .nixkit/lib/*.nix");
    expect(envrc).toContain('eval "$(nixkit env --direnv)"');
    expect(envrc).not.toContain(dir);
    expect((await nixkit(["-C", dir, "direnv"])).exitCode).toBe(2);
  });

  test("the .envrc is committable: it loads with nixkit from PATH, and says so when nixkit is missing", async () => {
    const dir = exampleProject();
    expect((await nixkit(["-C", dir, "--nixpkgs", offlinePkgs(), "direnv"])).exitCode).toBe(0);
    expect(readFileSync(path.join(dir, ".envrc"), "utf8")).not.toMatch(/nixkit\.cjs|--nixpkgs|\/tmp\//);
    const bin = tempDir();
    writeFileSync(path.join(bin, "nixkit"), `#!/bin/sh\nexec node ${JSON.stringify(cliPath)} "$@"\n`);
    chmodSync(path.join(bin, "nixkit"), 0o755);
    // direnv's stdlib, as far as the .envrc uses it.
    const stdlib = 'watch_file() { :; }; has() { command -v "$1" >/dev/null; }; log_error() { echo "direnv: $*" >&2; };';
    const load = (PATH: string) =>
      execa("bash", ["--norc", "--noprofile", "-c", `${stdlib} source ./.envrc >/dev/null 2>&1 || exit 7; printf %s "$GREETING"`], {
        cwd: dir,
        env: { ...nixEnv, PATH },
        reject: false,
      });
    const loaded = await load(`${bin}:${process.env.PATH}`);
    expect(loaded.stdout).toBe("Hello");
    const missing = await execa("bash", ["--norc", "--noprofile", "-c", `${stdlib} source ./.envrc`], {
      cwd: dir,
      env: { PATH: "/usr/bin:/bin" },
      reject: false,
    });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("direnv: nixkit is not on PATH: install it");
  });

  test("`nixkit shell` opens bash with the environment, the hook and a prompt marker", async () => {
    const dir = exampleProject();
    const result = await execa("node", [cliPath, "-C", dir, "shell"], {
      env: { ...nixEnv, SHELL: "/bin/bash", HOME: tempDir() },
      input: 'echo "in:$GREETING:$(hello)"\necho "ps1:$PS1"\nexit 5\n',
      reject: false,
    });
    expect(result.exitCode).toBe(5);
    expect(result.stdout).toContain("hello dev shell");
    expect(result.stdout).toContain("in:Hello:Hello, world!");
    expect(result.stdout).toContain("ps1:(nixkit:hello) ");
  });
});

const installed = (program: string) => ["/usr/bin", "/bin"].some((dir) => existsSync(path.join(dir, program)));

// scripts/setup.sh installs zsh and fish; without them (outside CI) these two say so and skip.
describe.each([
  ["zsh", 'echo "in:$GREETING:$(hello)"; echo "prompt:$PROMPT"; exit 4\n', 4, "prompt:(nixkit:hello) "],
  ["fish", 'echo "in:$GREETING:"(hello); echo "prompt:"(fish_prompt); exit 6\n', 6, "prompt:(nixkit:hello) "],
])("`nixkit shell` with %s", (shell, input, code, marker) => {
  test.skipIf(!installed(shell) && !process.env.CI)(
    `gets the environment, the hook's effects and a prompt marker (needs ${shell})`,
    async () => {
      const dir = exampleProject();
      // stdin through a real pipe: fish cannot read commands from the socket execa would give it.
      const result = await execa("sh", ["-c", 'printf "%s" "$1" | node "$0" shell', cliPath, input], {
        cwd: dir,
        env: { ...nixEnv, SHELL: `/usr/bin/${shell}`, HOME: tempDir() },
        reject: false,
      });
      expect(result.exitCode, result.stderr).toBe(code);
      expect(result.stdout).toContain("hello dev shell");
      expect(result.stdout).toContain("in:Hello:Hello, world!");
      expect(result.stdout).toContain(marker);
    },
  );
});
