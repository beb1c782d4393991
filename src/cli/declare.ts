// How a command is declared: its commander configuration, how commander's values become the
// typed options of the function that runs it, and where that function lives (loaded on demand).
import type { Command } from "commander";
import type { GlobalOptions, Session } from "../workflows/session.js";
import { UserError } from "../util/errors.js";

/** One parsed command line: the command, its typed options, and how to run it. */
export interface Call {
  /** "build", or "GROUP VERB" for the verbs of image, cache and ci. */
  command: string;
  options: object;
  globals: GlobalOptions;
  /** Resolves to the exit code when the command has one of its own (`run`, `shell`), else 0. */
  run(session: Session): Promise<number | void>;
}

export type Dispatch = (call: Call) => Promise<void>;

/** Reads commander's untyped option values, once per option, where the option is declared. */
export class Values {
  constructor(
    private readonly values: Record<string, unknown>,
    readonly args: string[],
  ) {}
  flag = (name: string): boolean => this.values[name] === true;
  text = (name: string): string | undefined => (typeof this.values[name] === "string" ? (this.values[name] as string) : undefined);
  required = (name: string): string => this.text(name) ?? "";
  /** A boolean option that takes a value (`--tls-verify false`); true unless given as false. */
  bool = (name: string): boolean => this.values[name] !== false;
  /** An option declared with `.choices(choices)`: commander has checked the value. */
  choice = <T extends string>(name: string, choices: readonly T[]): T | undefined => choices.find((c) => c === this.values[name]);
  /** -j: a whole number of builds at once, or "auto"; 0 (nothing here) only where remote builders can take them. */
  jobs = (allowZero: boolean): string => {
    const value = this.required("jobs");
    if (value === "auto" || (/^\d+$/.test(value) && (Number(value) > 0 || allowZero))) return value;
    const accepted = allowZero ? "a whole number (0: build nothing here, only on remote builders)" : "a whole number of at least 1";
    throw new UserError(`-j takes ${accepted} or "auto" (one per core), not "${value}"`);
  };
  /** --builders, --fallback-local and -j (0 allowed), as buildOptions declares them. */
  builders = () => ({ builders: this.text("builders"), fallbackLocal: this.flag("fallbackLocal"), jobs: this.jobs(true) });
  /** An option with an optional value: true when given alone. */
  textOrFlag = (name: string): string | true | undefined => (this.values[name] === true ? true : this.text(name));
}

export interface CommandSpec<T extends object> {
  /** The name with its arguments, as commander takes it ("build [names...]"). */
  name: string;
  description: string;
  configure?: (c: Command) => Command;
  parse: (v: Values) => T;
  load: () => Promise<(session: Session, options: T) => Promise<number | void>>;
  /** The verb a group runs when none is named. */
  isDefault?: boolean;
}

export function declareCommand<T extends object>(program: Command, parent: Command, s: CommandSpec<T>, dispatch: Dispatch): void {
  const command = parent.command(s.name, { isDefault: s.isDefault ?? false }).description(s.description);
  const name = s.name.split(" ")[0]!;
  const fullName = parent === program ? name : `${parent.name()} ${name}`;
  (s.configure ?? ((c) => c))(command).exitOverride().showHelpAfterError(`(run \`nixkit ${fullName} --help\` for usage)`);
  command.action(async (...received: unknown[]) => {
    const self = received.at(-1) as Command;
    const options = s.parse(new Values(self.opts(), self.args));
    const globals = program.opts<GlobalOptions>();
    await dispatch({ command: fullName, options, globals, run: async (session) => (await s.load())(session, options) });
  });
}

/** -j with remote builders: 0 builds nothing here. */
export const buildOptions = (c: Command) =>
  c
    .option("-j, --jobs <n>", 'builds at once here: a number, "auto" (one per core), or 0 (only on remote builders)', "auto")
    .option("--builders <spec>", "Nix remote builders for this run (machines lines, or @FILE); default: ci.builders")
    .option("--fallback-local", "build here when a remote builder cannot be reached (default: stop with exit 3)");
export const tlsVerifyOption = (c: Command, description: string) =>
  c.option("--tls-verify <bool>", description, (v) => v !== "false", true);
