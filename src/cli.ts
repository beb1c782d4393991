// The commander registry: every command and option is declared here. Command modules are
// imported only when their command runs, so `nixkit --help` loads commander alone.
import { Command, Option } from "commander";
import type { GlobalOptions } from "./commands/context.js";

export interface Invocation {
  command: string;
  args: string[];
  options: Record<string, unknown>;
  globals: GlobalOptions;
}

export type Dispatch = (invocation: Invocation) => Promise<void>;

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

  const add = (name: string, description: string, configure: (c: Command) => Command = (c) => c) => {
    const command = configure(program.command(name).description(description)).exitOverride();
    command.action(async (...received: unknown[]) => {
      const self = received.at(-1) as Command;
      await dispatch({
        command: name.split(" ")[0]!,
        args: self.args,
        options: self.opts(),
        globals: program.opts<GlobalOptions>(),
      });
    });
    return command;
  };

  add("init", "write a starter nixkit.yaml", (c) =>
    c
      .option("-t, --template <name>", "starter template: generic, node or python", "generic")
      .option("--force", "overwrite an existing nixkit.yaml"),
  );
  add("generate", "write flake.nix and the vendored Nix library from nixkit.yaml", (c) =>
    c.option("--check", "exit 1 if generated files are stale; write nothing").option("--force", "overwrite a hand-edited flake.nix"),
  );
  const jobs = (c: Command) => c.option("-j, --jobs <n>", 'builds at once: a number or "auto" (one per core)', "auto");
  add("build [names...]", "build the manifest's builds (all by default) and print their store paths", jobs);
  add("test [names...]", "run the manifest's tests in the Nix sandbox (all by default)", (c) =>
    jobs(c)
      .option("--junit <file>", "merge the tests' JUnit reports into FILE")
      .option("--rerun", "run cached tests again (keeps the old result until the new one is in)"),
  );
  const envOptions = (c: Command) =>
    c
      .option("--pure", "start from an empty environment (HOME, USER, TERM, LANG… are kept)")
      .option("--stale-ok", "if the environment cannot be rebuilt, use the last one (with a warning)");
  add("shell", "enter the dev shell (bash, zsh or fish)", envOptions);
  add("run", "run a command in the dev shell environment: nixkit run -- CMD ARGS...", (c) => envOptions(c).argument("<command...>"));
  add("env", "print the dev environment (--json: as a JSON object)", (c) =>
    c.option("--direnv", "as shell code for direnv").option("--stale-ok", "use the last environment if it cannot be rebuilt"),
  );
  add("direnv", "write an .envrc that loads the dev environment", (c) => c.option("--force", "overwrite an existing .envrc"));
  // Command groups (image, cache, ci): `nixkit GROUP VERB`, dispatched as "GROUP VERB".
  const group = (groupName: string, description: string) => {
    const parent = program.command(groupName).description(description);
    return (name: string, verbDescription: string, configure: (c: Command) => Command, isDefault = false) => {
      configure(parent.command(name, { isDefault }).description(verbDescription))
        .exitOverride()
        .action(async (...received: unknown[]) => {
          const self = received.at(-1) as Command;
          await dispatch({
            command: `${groupName} ${name}`,
            args: self.args,
            options: self.opts(),
            globals: program.opts<GlobalOptions>(),
          });
        });
    };
  };
  const addImage = group("image", "build, push and inspect container images");
  addImage("build", "write the image: --out oci:DIR | oci-archive:FILE | docker-archive:FILE", (c) =>
    c.argument("<image>").option("--out <target>", "where to write it (default: an OCI layout in ~/.cache/nixkit/images)"),
  );
  addImage("push", "build the image and copy it to a registry with skopeo", (c) =>
    c
      .argument("<image>")
      .requiredOption("--to <ref>", "docker://REGISTRY/NAME:TAG")
      .option("--tls-verify <bool>", "verify the registry's TLS certificate", (v) => v !== "false", true),
  );
  addImage("inspect", "build the image and show its layers and config", (c) => c.argument("<image>"));
  const addCache = group("cache", "a signed binary cache for what this project builds");
  addCache("keygen", "make a signing key pair with nix key; print the public key", (c) =>
    c.option("--name <name>", "key name (default: the project name)").option("--force", "replace an existing key"),
  );
  addCache("push", "copy the project's closures to the cache, signed: push [shell|builds|tests|images|all]", (c) =>
    c
      .argument("[kinds...]")
      .option("--to <url>", "file:// or http(s):// cache (default: cache.url)")
      .option("--key-file <file>", "signing key (default: nixkit cache keygen's)")
      .option("--compression <c>", "zstd, xz or none", "zstd"),
  );
  addCache("status", "how many paths and bytes of each closure the cache lacks", (c) =>
    c.argument("[kinds...]").option("--from <url>", "the cache (default: cache.url)"),
  );
  addCache("pull", "substitute the project's outputs from the cache, building nothing", (c) =>
    c
      .argument("[kinds...]")
      .option("--from <url>", "the cache (default: cache.url)")
      .option("--store <dir>", "a store other than the default one"),
  );
  const addCi = group("ci", "the CI pipeline: run it here, or generate GitHub Actions / GitLab CI files");
  addCi(
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
    true,
  );
  addCi("generate", "write .github/workflows/nixkit.yml and/or .gitlab-ci.yml", (c) =>
    c
      .option("--provider <name>", "github or gitlab (default: ci.providers)")
      .option("--check", "exit 1 if the files are stale; write nothing"),
  );
  add("lock", "create or update flake.lock", (c) => c.option("--update [input]", "update all inputs, or one"));
  add("gc", "drop this project's old GC root generations; --store then collects the Nix store", (c) =>
    c
      .option("--dry-run", "print what would be dropped and the bytes a store GC would free; change nothing")
      .option("--keep <n>", "generations to keep per root (default: gc.keep in nixkit.yaml)")
      .option("--keep-since <duration>", "also keep generations younger than this (default: gc.keepSince)")
      .option("--store", "run the Nix store GC afterwards"),
  );
  add("doctor", "check that Nix, flakes, the sandbox and the project are ready");
  add("offline-pkgs", "prepare the offline package set and print its flake ref");
  add("schema", "print the manifest's JSON Schema");
  return program;
}

export async function dispatchToModule(invocation: Invocation, signal: AbortSignal): Promise<void> {
  const { createContext } = await import("./commands/context.js");
  const context = createContext(invocation.globals, signal);
  const commands: Record<string, () => Promise<{ run: (ctx: typeof context, inv: Invocation) => Promise<void> }>> = {
    init: () => import("./commands/init.js"),
    generate: () => import("./commands/generate.js"),
    build: () => import("./commands/build.js"),
    test: () => import("./commands/test.js"),
    shell: () => import("./commands/shell.js"),
    env: () => import("./commands/env.js"),
    direnv: () => import("./commands/direnv.js"),
    run: () => import("./commands/run.js"),
    lock: () => import("./commands/lock.js"),
    doctor: () => import("./commands/doctor.js"),
    gc: () => import("./commands/gc.js"),
    cache: () => import("./commands/cache.js"),
    ci: () => import("./commands/ci.js"),
    "offline-pkgs": () => import("./commands/offline-pkgs.js"),
    schema: () => import("./commands/schema.js"),
    image: () => import("./commands/image.js"),
  };
  const module = await commands[invocation.command.split(" ")[0]!]!();
  await module.run(context, invocation);
}
