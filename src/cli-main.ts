// The full CLI: commander, typed errors mapped to exit codes.
import { CommanderError } from "commander";
import { buildProgram, dispatchToModule } from "./cli.js";
import { NixkitError } from "./util/errors.js";
import { nixkitVersion } from "./util/assets.js";

export async function runCli(argv: string[]): Promise<number> {
  const controller = new AbortController();
  let interrupted = false;
  // A first Ctrl-C stops the running nix and lets commands clean up; a second one exits at once.
  // The handlers stay registered: execa's exit hook re-raises a signal nobody else listens to.
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  try {
    const program = buildProgram((inv) => dispatchToModule(inv, controller.signal), nixkitVersion());
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    if (interrupted) return 130;
    if (error instanceof CommanderError) {
      return error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help" ? 0 : 2;
    }
    const verbose = argv.includes("-v") || argv.includes("--verbose");
    if (error instanceof NixkitError) {
      if (error.exitCode !== 130) process.stderr.write(`${prefix()}${error.message}\n`);
      if (verbose && error.cause) process.stderr.write(`${String((error.cause as Error).stack ?? error.cause)}\n`);
      return error.exitCode;
    }
    process.stderr.write(`${prefix()}unexpected: ${(error as Error).message ?? String(error)}\n`);
    if (verbose) process.stderr.write(`${(error as Error).stack}\n`);
    else process.stderr.write("(run with -v for the stack trace)\n");
    return 1;
  }
}

const prefix = () => (process.stderr.isTTY && process.env.NO_COLOR == null ? "\x1b[31merror:\x1b[0m " : "error: ");
