import { defineConfig } from "vitest/config";

// Five tiers (README "Development"): `unit` is in-process, no Nix (bad manifests go through the
// CLI in-process); `nix-lib` evaluates the Nix library and what nixkit writes for Nix, building
// nothing; `e2e` runs the built CLI against real Nix (sandbox on, offline package set); `corpus`
// takes projects shaped like real ones through it; `hosts` makes second hosts (network
// namespaces, a nix-daemon; root). `npm test` runs all on the Nix on PATH, then on the second Nix
// only the tests named with `versioned()` (test/helpers.ts).
const nixTier = (name: string, include: string[], testTimeout = 240_000) => ({
  test: {
    name,
    include,
    globalSetup: ["test/e2e/global-setup.ts"],
    testTimeout,
    hookTimeout: 240_000,
    // Tests share one Nix store; running files one at a time keeps timings readable on 2 cores.
    fileParallelism: false,
  },
});

export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"], testTimeout: 20_000 } },
      nixTier("nix-lib", ["test/nix-lib/**/*.test.ts"]),
      nixTier("e2e", ["test/e2e/**/*.test.ts"]),
      // Real dependencies: a first run downloads them (Nix's fixed-output fetches).
      nixTier("corpus", ["test/corpus/*.test.ts"], 600_000),
      nixTier("hosts", ["test/hosts/**/*.test.ts"]),
    ],
  },
});
