// Bundles the CLI into dist/:
//   nixkit.cjs     the entry (CommonJS, node builtins only): the fast path of run/shell
//   cli/           the full CLI (ES modules, one lazily loaded chunk per command)
import { build } from "esbuild";
import { readFileSync, rmSync } from "node:fs";

rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  legalComments: "none",
  logLevel: "warning",
  define: { NIXKIT_BUILD_VERSION: JSON.stringify(version) },
};

await build({
  ...common,
  entryPoints: { nixkit: "src/main.ts" },
  outdir: "dist",
  outExtension: { ".js": ".cjs" },
  format: "cjs",
  // import.meta only appears behind a `typeof __filename` check that the CommonJS bundle never takes.
  logOverride: { "empty-import-meta": "silent" },
});

await build({
  ...common,
  entryPoints: { cli: "src/cli.ts" },
  outdir: "dist/cli",
  splitting: true,
  format: "esm",
  chunkNames: "chunks/[name]-[hash]",
  // commander is CommonJS; give its require() calls a real require.
  banner: { js: 'import { createRequire as __nixkitRequire } from "node:module"; const require = __nixkitRequire(import.meta.url);' },
});
