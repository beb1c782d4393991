// The commander registry: every command, its options, and how they become the typed options of
// the function that runs it. Command modules are imported only when their command runs, so
// `nixkit --help` loads commander alone. runCli maps typed errors to exit codes.
import { Command, CommanderError, Option } from "commander";
import type { Session, GlobalOptions } from "./session.js";
import { nixkitVersion } from "./util/assets.js";
import { NixkitError } from "./util/errors.js";

/** One parsed command line: the command, its typed options, and how to run it. */
export interface Call {
  /** "build", or "GROUP VERB" for the verbs of image, cache and ci. */
  command: string;
  options: object;
  globals: GlobalOptions;
  run(session: Session): Promise<void>;
}

export type Dispatch = (call: Call) => Promise<void>;

/** Reads commander's untyped option values, once per option, where the option is declared. */
class Values {
  constructor(
    private readonly values: Record<string, unknown>,
    readonly args: string[],
  ) {}
  flag = (name: string): boolean => this.values[name] === true;
  text = (name: string): string | undefined => (typeof this.values[name] === "string" ? (this.values[name] as string) : undefined);
  required = (name: string): string => this.text(name) ?? "";
  /** A boolean option that takes a value (`--tls-verify false`); true unless given as false. */
  bool = (name: string): boolean => this.values[name] !== false;
  /** An option with an optional value: true when given alone. */
  textOrFlag = (name: string): string | true | undefined => (this.values[name] === true ? true : this.text(name));
}

type Run<T> = (session: Session, options: T) => Promise<void>;

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

  // Declares `name` under `parent`; its action parses the options and dispatches the call.
  const declare = <T extends object>(
    parent: Command,
    name: string,
    description: string,
    configure: (c: Command) => Command,
    parse: (v: Values) => T,
    load: () => Promise<Run<T>>,
    isDefault = false,
  ) => {
    const command = configure(parent.command(name, { isDefault }).description(description)).exitOverride();
    const fullName = parent === program ? name.split(" ")[0]! : `${parent.name()} ${name}`;
    command.action(async (...received: unknown[]) => {
      const self = received.at(-1) as Command;
      const options = parse(new Values(self.opts(), self.args));
      const globals = program.opts<GlobalOptions>();
      await dispatch({ command: fullName, options, globals, run: async (session) => (await load())(session, options) });
    });
  };
  const top = <T extends object>(
    name: string,
    description: string,
    configure: (c: Command) => Command,
    parse: (v: Values) => T,
    load: () => Promise<Run<T>>,
  ) => declare(program, name, description, configure, parse, load);
  const group = (name: string, description: string) => program.command(name).description(description);
  const none = (c: Command) => c;

  const jobs = (c: Command) => c.option("-j, --jobs <n>", 'builds at once: a number or "auto" (one per core)', "auto");
  const envOptions = (c: Command) =>
    c
      .option("--pure", "start from an empty environment (HOME, USER, TERM, LANG… are kept)")
      .option("--stale-ok", "if the environment cannot be rebuilt, use the last one (with a warning)");
  const envValues = (v: Values) => ({ pure: v.flag("pure"), staleOk: v.flag("staleOk") });
  const project = () => import("./commands/project.js");
  const builds = () => import("./commands/build.js");
  const shell = () => import("./commands/shell.js");
  const maintenance = () => import("./commands/maintenance.js");

  top(
    "init",
    "write a starter nixkit.yaml",
    (c) =>
      c
        .option("-t, --template <name>", "starter template: generic, node or python", "generic")
        .option("--force", "overwrite an existing nixkit.yaml"),
    (v) => ({ template: v.required("template"), force: v.flag("force") }),
    async () => (await project()).init,
  );
  top(
    "generate",
    "write flake.nix and the vendored Nix library from nixkit.yaml",
    (c) => c.option("--check", "exit 1 if generated files are stale; write nothing").option("--force", "overwrite a hand-edited flake.nix"),
    (v) => ({ check: v.flag("check"), force: v.flag("force") }),
    async () => (await project()).generate,
  );
  top(
    "build [names...]",
    "build the manifest's builds (all by default) and print their store paths",
    jobs,
    (v) => ({ names: v.args, jobs: v.required("jobs") }),
    async () => (await builds()).build,
  );
  top(
    "test [names...]",
    "run the manifest's tests in the Nix sandbox (all by default)",
    (c) =>
      jobs(c)
        .option("--junit <file>", "merge the tests' JUnit reports into FILE")
        .option("--rerun", "run cached tests again (keeps the old result until the new one is in)"),
    (v) => ({ names: v.args, jobs: v.required("jobs"), junit: v.text("junit"), rerun: v.flag("rerun") }),
    async () => (await builds()).test,
  );
  top("shell", "enter the dev shell (bash, zsh or fish)", envOptions, envValues, async () => (await shell()).shell);
  top(
    "run",
    "run a command in the dev shell environment: nixkit run -- CMD ARGS...",
    (c) => envOptions(c).argument("<command...>"),
    (v) => ({ ...envValues(v), command: v.args }),
    async () => (await shell()).run,
  );
  top(
    "env",
    "print the dev environment (--json: as a JSON object)",
    (c) => c.option("--direnv", "as shell code for direnv").option("--stale-ok", "use the last environment if it cannot be rebuilt"),
    (v) => ({ direnv: v.flag("direnv"), staleOk: v.flag("staleOk") }),
    async () => (await shell()).env,
  );
  top(
    "direnv",
    "write an .envrc that loads the dev environment",
    (c) => c.option("--force", "overwrite an existing .envrc"),
    (v) => ({ force: v.flag("force") }),
    async () => (await shell()).direnv,
  );

  const image = group("image", "build, push and inspect container images");
  const images = () => import("./commands/image.js");
  declare(
    image,
    "build",
    "write the image: --out oci:DIR | oci-archive:FILE | docker-archive:FILE",
    (c) => c.argument("<image>").option("--out <target>", "where to write it (default: an OCI layout in ~/.cache/nixkit/images)"),
    (v) => ({ image: v.args[0]!, out: v.text("out") }),
    async () => (await images()).build,
  );
  declare(
    image,
    "push",
    "build the image and copy it to a registry with skopeo",
    (c) =>
      c
        .argument("<image>")
        .requiredOption("--to <ref>", "docker://REGISTRY/NAME:TAG")
        .option("--tls-verify <bool>", "verify the registry's TLS certificate", (v) => v !== "false", true),
    (v) => ({ image: v.args[0]!, to: v.required("to"), tlsVerify: v.bool("tlsVerify") }),
    async () => (await images()).push,
  );
  declare(
    image,
    "inspect",
    "build the image and show its layers and config",
    (c) => c.argument("<image>"),
    (v) => ({ image: v.args[0]! }),
    async () => (await images()).inspect,
  );

  const cache = group("cache", "a signed binary cache for what this project builds");
  const caches = () => import("./commands/cache.js");
  declare(
    cache,
    "keygen",
    "make a signing key pair with nix key; print the public key",
    (c) => c.option("--name <name>", "key name (default: the project name)").option("--force", "replace an existing key"),
    (v) => ({ name: v.text("name"), force: v.flag("force") }),
    async () => (await caches()).keygen,
  );
  declare(
    cache,
    "push",
    "copy the project's closures to the cache, signed: push [shell|builds|tests|images|all]",
    (c) =>
      c
        .argument("[kinds...]")
        .option("--to <url>", "file:// or http(s):// cache (default: cache.url)")
        .option("--key-file <file>", "signing key (default: nixkit cache keygen's)")
        .addOption(new Option("--compression <c>", "zstd, xz or none").choices(["zstd", "xz", "none"]).default("zstd")),
    (v) => ({
      kinds: v.args,
      url: v.text("to"),
      keyFile: v.text("keyFile"),
      compression: v.required("compression") as "zstd" | "xz" | "none",
    }),
    async () => (await caches()).push,
  );
  declare(
    cache,
    "status",
    "how many paths and bytes of each closure the cache lacks",
    (c) => c.argument("[kinds...]").option("--from <url>", "the cache (default: cache.url)"),
    (v) => ({ kinds: v.args, url: v.text("from") }),
    async () => (await caches()).status,
  );
  declare(
    cache,
    "pull",
    "substitute the project's outputs from the cache, building nothing",
    (c) =>
      c
        .argument("[kinds...]")
        .option("--from <url>", "the cache (default: cache.url)")
        .option("--store <dir>", "a store other than the default one"),
    (v) => ({ kinds: v.args, url: v.text("from"), store: v.text("store") }),
    async () => (await caches()).pull,
  );

  const ci = group("ci", "the CI pipeline: run it here, or generate GitHub Actions / GitLab CI files");
  const pipelines = () => import("./commands/ci.js");
  declare(
    ci,
    "run",
    "run the pipeline's stages here, in order, as CI runs them (the default)",
    (c) =>
      jobs(c)
        .option("--stages <list>", "comma-separated stages (default: ci.stages)")
        .option("--report <file>", "write the JSON report")
        .option("--junit <file>", "merge the tests' JUnit reports into FILE")
        .option("--keep-going", "run later stages after a failure")
        .option("--builders <spec>", "Nix remote builders (passed to nix as --option builders)")
        .option("--tls-verify <bool>", "verify the registry's TLS certificate when pushing images", (v) => v !== "false", true),
    (v) => ({
      stages: v.text("stages"),
      report: v.text("report"),
      junit: v.text("junit"),
      keepGoing: v.flag("keepGoing"),
      builders: v.text("builders"),
      jobs: v.required("jobs"),
      tlsVerify: v.bool("tlsVerify"),
    }),
    async () => (await pipelines()).run,
    true,
  );
  declare(
    ci,
    "generate",
    "write .github/workflows/nixkit.yml and/or .gitlab-ci.yml",
    (c) =>
      c
        .option("--provider <name>", "github or gitlab (default: ci.providers)")
        .option("--check", "exit 1 if the files are stale; write nothing"),
    (v) => ({ provider: v.text("provider"), check: v.flag("check") }),
    async () => (await pipelines()).generate,
  );

  top(
    "lock",
    "create or update flake.lock",
    (c) => c.option("--update [input]", "update all inputs, or one"),
    (v) => ({ update: v.textOrFlag("update") }),
    async () => (await project()).lock,
  );
  top(
    "gc",
    "drop this project's old GC root generations; --store then collects the Nix store",
    (c) =>
      c
        .option("--dry-run", "print what would be dropped and the bytes a store GC would free; change nothing")
        .option("--keep <n>", "generations to keep per root (default: gc.keep in nixkit.yaml)")
        .option("--keep-since <duration>", "also keep generations younger than this (default: gc.keepSince)")
        .option("--store", "run the Nix store GC afterwards"),
    (v) => ({ dryRun: v.flag("dryRun"), keep: v.text("keep"), keepSince: v.text("keepSince"), store: v.flag("store") }),
    async () => (await maintenance()).gc,
  );
  top(
    "doctor",
    "check that Nix, flakes, the sandbox and the project are ready",
    none,
    () => ({}),
    async () => (await maintenance()).doctor,
  );
  top(
    "offline-pkgs",
    "prepare the offline package set and print its flake ref",
    none,
    () => ({}),
    async () => (await maintenance()).offlinePkgs,
  );
  top(
    "schema",
    "print the manifest's JSON Schema",
    none,
    () => ({}),
    async () => (await maintenance()).schema,
  );
  return program;
}

/** Runs the full CLI; `signal` aborts on Ctrl-C. Returns the exit code (main.ts exits with it). */
export async function runCli(argv: string[], signal: AbortSignal): Promise<number> {
  try {
    const { createSession } = await import("./session.js");
    const program = buildProgram((call) => call.run(createSession(call.globals, signal)), nixkitVersion());
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    if (signal.aborted) return 130;
    if (error instanceof CommanderError) {
      return ["commander.helpDisplayed", "commander.version", "commander.help"].includes(error.code) ? 0 : 2;
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
