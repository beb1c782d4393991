// The commander registry (the commands themselves are declared in cli/): every command, its
// options, and how they become the typed options of the function that runs it. Command modules
// are imported only when their command runs, so `nixkit --help` loads commander alone. runCli
// maps typed errors to exit codes.
import { Command, CommanderError, Option } from "commander";
import type { Dispatch } from "./cli/declare.js";
import { declareGroupCommands } from "./cli/group-commands.js";
import { declareProjectCommands } from "./cli/project-commands.js";
import { nixkitVersion } from "./util/assets.js";
import { environmentError, FieldError, nixEnvironmentError, NixkitError, UserError } from "./util/errors.js";
import type { Logger } from "./util/logger.js";
import { redactUrls } from "./util/redact.js";

export type { Call, Dispatch } from "./cli/declare.js";

export function buildProgram(dispatch: Dispatch, version: string): Command {
  const program = new Command("nixkit")
    .description("One YAML manifest to reproducible Nix workflows: dev shells, hermetic builds and tests.")
    .version(version, "-V, --version")
    .option("-C, --directory <dir>", "run in this project directory")
    .option("--nixpkgs <flakeref>", "override the nixpkgs input (also NIXKIT_NIXPKGS)")
    .option("--json", "machine-readable output on stdout; logs on stderr")
    .addOption(new Option("-q, --quiet", "only errors").conflicts("verbose"))
    .option("-v, --verbose", "more detail, including nix commands and full build logs")
    .showHelpAfterError("(run `nixkit --help` for usage)")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  declareProjectCommands(program, dispatch);
  declareGroupCommands(program, dispatch);
  // `nixkit` alone is a usage error: the help goes to stderr, exit 2.
  program.allowExcessArguments().action((_options: unknown, self: Command) => {
    if (self.args.length) program.error(`error: unknown command '${self.args[0]}'`, { code: "commander.unknownCommand", exitCode: 2 });
    throw new UserError(`name a command\n${program.helpInformation()}`);
  });
  return program;
}

/** Runs the full CLI; `signal` aborts on Ctrl-C. Returns the exit code (main.ts exits with it). */
export async function runCli(argv: string[], signal: AbortSignal): Promise<number> {
  let logger: Logger | undefined;
  try {
    let exitCode = 0;
    // The session (and the Nix driver with it) loads only when a command runs, not for --help.
    const program = buildProgram(async (call) => {
      const session = (await import("./workflows/session.js")).createSession(call.globals, signal);
      logger = session.logger;
      exitCode = (await call.run(session)) ?? 0;
    }, nixkitVersion());
    await program.parseAsync(argv);
    return exitCode;
  } catch (caught) {
    if (signal.aborted) return 130;
    const thrown = caught instanceof FieldError ? await placedFieldError(caught) : caught;
    const nixMessage = (thrown as { nixMessage?: unknown } | undefined)?.nixMessage;
    const error =
      environmentError(thrown) ?? (typeof nixMessage === "string" ? nixEnvironmentError(nixMessage, thrown) : undefined) ?? thrown;
    if (error instanceof CommanderError) {
      return ["commander.helpDisplayed", "commander.version", "commander.help"].includes(error.code) ? 0 : 2;
    }
    const verbose = argv.includes("-v") || argv.includes("--verbose");
    // With --json the error is machine output too: one JSON object on stdout.
    if (argv.includes("--json") && !logger?.dataWritten) process.stdout.write(redactUrls(JSON.stringify(jsonError(error))) + "\n");
    if (error instanceof NixkitError) {
      if (error.exitCode !== 130) process.stderr.write(`${prefix()}${redactUrls(error.message)}\n`);
      if (verbose && error.cause) process.stderr.write(`${String((error.cause as Error).stack ?? error.cause)}\n`);
      return error.exitCode;
    }
    process.stderr.write(`${prefix()}unexpected: ${redactUrls((error as Error).message ?? String(error))}\n`);
    if (verbose) process.stderr.write(`${(error as Error).stack}\n`);
    else process.stderr.write("(run with -v for the stack trace)\n");
    return 1;
  }
}

/** A FieldError with each field's line:col (the YAML parser is loaded only now). */
async function placedFieldError(error: FieldError): Promise<Error> {
  const { manifestErrorFromNix } = await import("./manifest/nix-errors.js");
  return (await manifestErrorFromNix(error.message, error.manifestText)) ?? error;
}

const prefix = () => (process.stderr.isTTY && process.env.NO_COLOR == null ? "\x1b[31merror:\x1b[0m " : "error: ");

/** An error as `{code, message, file, line, column}`, the position where a manifest problem names one. */
function jsonError(error: unknown) {
  const code = error instanceof NixkitError ? error.exitCode : 1;
  const message = error instanceof Error ? error.message : String(error);
  const at = message.match(/^([^\s:]+):(\d+):(\d+) /);
  return { code, message, ...(at ? { file: at[1], line: Number(at[2]), column: Number(at[3]) } : {}) };
}
