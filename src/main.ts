// The entry point, and the only place that calls process.exit. Bundled as CommonJS: `run` and
// `shell` try the fast path first (node builtins only; no nix process when the environment is
// cached); everything else loads the full CLI, an ES module bundle, on demand.
import { runFast } from "./fast.js";

declare const __dirname: string;
declare const require: (id: string) => unknown;

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes("run") || argv.includes("shell")) {
    const code = await runFast(argv, process.env).catch(() => undefined);
    if (code !== undefined) return code;
  }
  // A computed specifier keeps the bundler from inlining the full CLI into this entry;
  // node:url is required here, not at the top, to keep it off the fast path.
  const { pathToFileURL } = require("node:url") as typeof import("node:url");
  const cli = pathToFileURL(`${__dirname}/cli/cli-main.js`).href;
  const { runCli } = (await import(cli)) as { runCli: (argv: string[]) => Promise<number> };
  return runCli(process.argv);
}

main().then((code) => process.exit(code));
