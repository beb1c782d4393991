// The entry point, and the only place that calls process.exit. Bundled as CommonJS: `run` and
// `shell` try the warm path first (node builtins only; no nix process when the environment is
// cached), and a `generate` with nothing to do is answered from its stamp; everything else loads
// the full CLI, an ES module bundle, on demand.
import { runWarm } from "./shell/warm-path.js";

declare const __dirname: string;
declare const require: (id: string) => unknown;

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes("run") || argv.includes("shell")) {
    const code = await runWarm(argv, process.env).catch(() => undefined);
    if (code !== undefined) return code;
  }
  // `generate` with nothing to do: answered from the stamp the full CLI left, as it would answer.
  const stamp = argv.includes("generate")
    ? (require("./generate/fresh-stamp.js") as typeof import("./generate/fresh-stamp.js"))
    : undefined;
  const generate = stamp?.parseFastGenerate(argv, process.env);
  if (generate && stamp!.freshByStamp(generate.projectDir)) {
    process.stdout.write("generated files are up to date\n");
    return 0;
  }
  // A first Ctrl-C stops the running nix and lets commands clean up; a second one exits at once.
  // The handlers stay registered: execa's exit hook re-raises a signal nobody else listens to.
  const controller = new AbortController();
  // Every layer written in parallel listens to the one Ctrl-C signal: that is not a leak.
  (require("node:events") as typeof import("node:events")).setMaxListeners(0, controller.signal);
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // A computed specifier keeps the bundler from inlining the full CLI into this entry;
  // node:url is required here, not at the top, to keep it off the warm path.
  const { pathToFileURL } = require("node:url") as typeof import("node:url");
  const cli = pathToFileURL(`${__dirname}/cli/cli.js`).href;
  const { runCli } = (await import(cli)) as { runCli: (argv: string[], signal: AbortSignal) => Promise<number> };
  return runCli(process.argv, controller.signal);
}

main().then((code) => process.exit(code));
