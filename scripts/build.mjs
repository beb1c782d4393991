// Bundles the CLI into dist/:
//   nixkit.cjs     the entry (CommonJS, node builtins only): the fast path of run/shell
//   cli/           the full CLI (ES modules, one lazily loaded chunk per command)
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync } from "node:fs";

rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
// The build's identity: caches of derived data (the parsed manifest) are keyed on it, so a
// rebuilt nixkit never trusts what an older build of the same version wrote.
const buildId = createHash("sha256");
for (const dir of ["src", "nix"]) {
  for (const file of readdirSync(new URL(`../${dir}`, import.meta.url), { recursive: true }).sort()) {
    const url = new URL(`../${dir}/${file}`, import.meta.url);
    try {
      buildId.update(`${dir}/${file}\0`).update(readFileSync(url));
    } catch {
      // a directory
    }
  }
}
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  legalComments: "none",
  logLevel: "warning",
  define: { NIXKIT_BUILD_VERSION: JSON.stringify(version), NIXKIT_BUILD_ID: JSON.stringify(buildId.digest("hex").slice(0, 16)) },
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
