import { defineConfig } from "vitest/config";

// Three tiers: `unit` is in-process and fast; `e2e` runs the built CLI against real Nix
// (sandbox on, offline package set); `corpus` takes projects shaped like real ones through it.
// `npm test` runs all; `npm run test:fast` only unit.
export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"], testTimeout: 20_000 } },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/e2e/global-setup.ts"],
          testTimeout: 240_000,
          hookTimeout: 240_000,
          // Tests share one Nix store; running files one at a time keeps timings readable on 2 cores.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "corpus",
          include: ["test/corpus/*.test.ts"],
          globalSetup: ["test/e2e/global-setup.ts"],
          // Real dependencies: a first run downloads them (Nix's fixed-output fetches).
          testTimeout: 600_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
