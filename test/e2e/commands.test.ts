// generate --check, doctor and Ctrl-C through the built CLI, with real Nix.
import { execa } from "execa";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { cliPath, nixEnv, nixkit, snapshotTree, versioned } from "../helpers.js";
import { editFile, exampleProject } from "./project.js";

test("generate --check: exit 1 with a summary when stale, writing nothing; exit 0 when fresh", async () => {
  const dir = exampleProject();
  const missing = await nixkit(["-C", dir, "generate", "--check"]);
  expect(missing.exitCode).toBe(1);
  expect(missing.stderr).toContain("flake.nix: missing");
  expect(existsSync(path.join(dir, "flake.nix"))).toBe(false);

  expect((await nixkit(["-C", dir, "generate"])).exitCode).toBe(0);
  expect((await nixkit(["-C", dir, "generate", "--check"])).exitCode).toBe(0);

  editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace("GREETING: Hello", "GREETING: Howdy"));
  const before = snapshotTree(dir);
  const stale = await nixkit(["-C", dir, "--json", "generate", "--check"]);
  expect(stale.exitCode).toBe(1);
  expect(JSON.parse(stale.stdout)).toEqual({ fresh: false, drift: [{ path: "flake.nix", kind: "stale", added: 2, removed: 2 }] });
  expect(snapshotTree(dir)).toEqual(before);
});

test(
  versioned(
    "doctor: every check with a status, stale files as a warning, exit 0 without failures",
    "config show (2.20) vs show-config, store info (2.19)",
  ),
  async () => {
    const dir = exampleProject();
    const result = await nixkit(["-C", dir, "--json", "doctor"]);
    expect(result.exitCode, result.stderr).toBe(0);
    const { checks } = JSON.parse(result.stdout) as { checks: { name: string; status: string; detail: string }[] };
    const nixCheck = checks.find((c) => c.name === "nix")!;
    const minor = Number(nixCheck.detail.match(/2\.(\d+)/)![1]);
    expect(Object.fromEntries(checks.map((c) => [c.name, c.status]))).toEqual({
      // Below 2.18 (Debian 12's 2.8), current nixpkgs cannot be evaluated: a warning that says so.
      nix: minor >= 18 ? "PASS" : "WARN",
      flakes: "PASS",
      // Debian's nix.conf has `sandbox = false` (nixkit turns it on per build); the modern Nix's test store has it on.
      sandbox: expect.stringMatching(/^(PASS|WARN)$/),
      store: "PASS",
      disk: expect.stringMatching(/PASS|WARN/),
      generated: "WARN",
      // Nix 2.19+ says whether the store trusts the user (root, on its own store: yes).
      ...(minor >= 19 ? { trust: "PASS" } : {}),
    });
    if (minor >= 19) expect(checks.find((c) => c.name === "trust")!.detail).toMatch(/^local \(Nix 2\.\d+\.\d+\) trusts this user$/);
    expect(nixCheck.detail).toMatch(/^nix \(Nix\) 2\.\d+/);
    if (minor < 18) expect(nixCheck.detail).toContain("current nixpkgs (nixos-25.11 and newer) needs Nix 2.18 or newer");
    await nixkit(["-C", dir, "generate"]);
    const fresh = JSON.parse((await nixkit(["-C", dir, "--json", "doctor"])).stdout) as typeof checks extends never
      ? never
      : { checks: { name: string; status: string }[] };
    expect(fresh.checks.find((c) => c.name === "generated")!.status).toBe("PASS");
  },
);

test("doctor without Nix fails with exit 3 and the fix", async () => {
  const result = await nixkit(["doctor"], { env: { NIXKIT_NIX: "/nonexistent/nix" } });
  expect(result.exitCode).toBe(3);
  expect(result.stdout).toMatch(/FAIL\s+nix\s+nix is not installed/);
});

test(
  versioned("Ctrl-C during a build: exit 130, no out-link, generated files intact", "how nix stops its builders on SIGINT"),
  async () => {
    const dir = exampleProject();
    editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace('mkdir -p "$out/bin"', 'echo started; sleep 30\n      mkdir -p "$out/bin"'));
    const child = execa("node", [cliPath, "-C", dir, "build"], { env: nixEnv, reject: false });
    let output = "";
    await new Promise<void>((resolve) => {
      child.stderr!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("[greet] started")) resolve();
      });
    });
    child.kill("SIGINT");
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(readdirSync(dir).filter((n) => n.startsWith("result"))).toEqual([]);
    expect((await nixkit(["-C", dir, "generate", "--check"])).exitCode).toBe(0);
  },
);
