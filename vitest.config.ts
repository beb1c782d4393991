import { defineConfig } from "vitest/config";

// Five tiers (README "Development"): `unit` is in-process, no Nix (bad manifests go through the
// CLI in-process); `nix-lib` evaluates the Nix library and what nixkit writes for Nix, building
// nothing; `e2e` runs the built CLI against real Nix (sandbox on, offline package set); `corpus`
// takes projects shaped like real ones through it; `hosts` makes second hosts (network
// namespaces, a nix-daemon; root). `npm test` runs all on the Nix on PATH, then on the second Nix
// only the tests named with `versioned()` (test/helpers.ts).
//
// Two files run at a time, one per core (vitest's default leaves one core idle): the Nix tiers
// share one store, each test in directories and a HOME of its own. `serial` tiers run their files
// one after another, after the others: namespaces and a daemon (hosts), and the e2e files that
// collect the store's garbage, which would take what a test running beside them fetched but has
// not rooted yet (e2e-store).
const nixTier = (name: string, include: string[], { testTimeout = 240_000, serial = false, exclude = [] as string[] } = {}) => ({
  test: {
    name,
    include,
    exclude,
    globalSetup: ["test/e2e/global-setup.ts"],
    testTimeout,
    hookTimeout: 240_000,
    ...(serial ? { poolOptions: { forks: { singleFork: true } } } : {}),
  },
});

const STORE_GC = ["gc", "shell", "test-runner", "races"].map((name) => `test/e2e/${name}.test.ts`);

export default defineConfig({
  test: {
    maxWorkers: 2,
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"], testTimeout: 20_000 } },
      nixTier("nix-lib", ["test/nix-lib/**/*.test.ts"]),
      nixTier("e2e", ["test/e2e/**/*.test.ts"], { exclude: STORE_GC }),
      nixTier("e2e-store", STORE_GC, { serial: true }),
      // Real dependencies: a first run downloads them (Nix's fixed-output fetches).
      nixTier("corpus", ["test/corpus/*.test.ts"], { testTimeout: 600_000 }),
      nixTier("hosts", ["test/hosts/**/*.test.ts"], { serial: true }),
    ],
  },
});
