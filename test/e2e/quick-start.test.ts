// The README's first quick-start command, `npm run demo`, end to end (setup and the build are
// done already by `npm test`, so the demo is told to skip them): every step must pass, CI's
// flake-lock check included.
import { execa } from "execa";
import path from "node:path";
import { expect, test } from "vitest";
import { nixEnv, repoRoot, tempDir, versioned } from "../helpers.js";

test(
  versioned("npm run demo passes every step on examples/hello, offline", "the README's quick start on each Nix"),
  async () => {
    const project = tempDir();
    const result = await execa("bash", [path.join(repoRoot, "scripts/demo.sh")], {
      env: { ...nixEnv, NIXKIT_DEMO_PREPARED: "1", NIXKIT_DEMO_DIR: project, XDG_CACHE_HOME: path.join(tempDir(), "cache") },
      reject: false,
      stdin: "ignore",
    });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/check\s+flake-lock\s+PASSED/);
    expect(result.stdout).toMatch(/image\s+greeter\s+PASSED/);
    expect(result.stdout).toContain("== done");
  },
  240_000,
);
