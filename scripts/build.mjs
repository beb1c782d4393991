// Bundles the CLI into dist/: one entry plus lazily loaded chunks for each command.
import { build } from "esbuild";
import { rmSync } from "node:fs";

rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { nixkit: "src/main.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  chunkNames: "chunks/[name]-[hash]",
  legalComments: "none",
  // commander and fast-glob are CommonJS; give their require() calls a real require.
  banner: { js: 'import { createRequire as __nixkitRequire } from "node:module"; const require = __nixkitRequire(import.meta.url);' },
  logLevel: "warning",
});
