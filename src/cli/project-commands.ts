// The commands that act on one project (and the machine): init, generate, build, test, the dev
// environment, lock, gc, doctor, offline-pkgs, schema.
import type { Command } from "commander";
import { buildOptions, declareCommand, type CommandSpec, type Dispatch, type Values } from "./declare.js";

export function declareProjectCommands(program: Command, dispatch: Dispatch): void {
  const add = <T extends object>(s: CommandSpec<T>) => declareCommand(program, program, s, dispatch);
  const project = () => import("../commands/project.js");
  const builds = () => import("../commands/build.js");
  const shell = () => import("../commands/shell.js");
  const maintenance = () => import("../commands/maintenance.js");
  const envOptions = (c: Command) =>
    c
      .option("--pure", "start from an empty environment (HOME, USER, TERM, LANG… are kept)")
      .option("--stale-ok", "if the environment cannot be rebuilt, use the last one (with a warning)");
  const envValues = (v: Values) => ({ pure: v.flag("pure"), staleOk: v.flag("staleOk") });

  add({
    name: "init",
    description: "write a starter nixkit.yaml",
    configure: (c) =>
      c
        .option("-t, --template <name>", "starter template: generic, node or python", "generic")
        .option("--force", "overwrite an existing nixkit.yaml"),
    parse: (v) => ({ template: v.required("template"), force: v.flag("force") }),
    load: async () => (await project()).init,
  });
  add({
    name: "generate",
    description: "write flake.nix and the vendored Nix library from nixkit.yaml",
    configure: (c) =>
      c.option("--check", "exit 1 if generated files are stale; write nothing").option("--force", "overwrite a hand-edited flake.nix"),
    parse: (v) => ({ check: v.flag("check"), force: v.flag("force") }),
    load: async () => (await project()).generate,
  });
  add({
    name: "build [names...]",
    description: "build the manifest's builds (all by default) and print their store paths",
    configure: buildOptions,
    parse: (v) => ({ names: v.args, ...v.builders() }),
    load: async () => (await builds()).build,
  });
  add({
    name: "test [names...]",
    description: "run the manifest's tests in the Nix sandbox (all by default)",
    configure: (c) =>
      buildOptions(c)
        .option("--junit <file>", "merge the tests' JUnit reports into FILE")
        .option("--rerun", "run cached tests again (keeps the old result until the new one is in)"),
    parse: (v) => ({ names: v.args, ...v.builders(), junit: v.text("junit"), rerun: v.flag("rerun") }),
    load: async () => (await builds()).test,
  });
  add({
    name: "shell",
    description: "enter the dev shell (bash, zsh or fish)",
    configure: envOptions,
    parse: envValues,
    load: async () => (await shell()).shell,
  });
  add({
    name: "run",
    description: "run a command in the dev shell environment: nixkit run -- CMD ARGS...",
    configure: (c) => envOptions(c).argument("<command...>"),
    parse: (v) => ({ ...envValues(v), command: v.args }),
    load: async () => (await shell()).run,
  });
  add({
    name: "env",
    description: "print the dev environment (--json: as a JSON object)",
    configure: (c) =>
      c.option("--direnv", "as shell code for direnv").option("--stale-ok", "use the last environment if it cannot be rebuilt"),
    parse: (v) => ({ direnv: v.flag("direnv"), staleOk: v.flag("staleOk") }),
    load: async () => (await shell()).env,
  });
  add({
    name: "direnv",
    description: "write an .envrc that loads the dev environment",
    configure: (c) => c.option("--force", "overwrite an existing .envrc"),
    parse: (v) => ({ force: v.flag("force") }),
    load: async () => (await shell()).direnv,
  });
  add({
    name: "lock",
    description: "create or update flake.lock",
    configure: (c) => c.option("--update [input]", "update all inputs, or one"),
    parse: (v) => ({ update: v.textOrFlag("update") }),
    load: async () => (await import("../commands/lock.js")).lock,
  });
  add({
    name: "gc",
    description: "drop this project's old GC root generations; --store then collects the Nix store",
    configure: (c) =>
      c
        .option("--dry-run", "print what would be dropped and the bytes a store GC would free; change nothing")
        .option("--keep <n>", "generations to keep per root (default: gc.keep in nixkit.yaml)")
        .option("--keep-since <duration>", "also keep generations younger than this (default: gc.keepSince)")
        .option("--store", "run the Nix store GC afterwards"),
    parse: (v) => ({ dryRun: v.flag("dryRun"), keep: v.text("keep"), keepSince: v.text("keepSince"), store: v.flag("store") }),
    load: async () => (await maintenance()).gc,
  });
  const noOptions = () => ({});
  add({
    name: "doctor",
    description: "check that Nix, flakes, the sandbox and the project are ready",
    parse: noOptions,
    load: async () => (await maintenance()).doctor,
  });
  add({
    name: "offline-pkgs",
    description: "prepare the offline package set and print its flake ref",
    parse: noOptions,
    load: async () => (await maintenance()).offlinePkgs,
  });
  add({
    name: "schema",
    description: "print the manifest's JSON Schema",
    parse: noOptions,
    load: async () => (await maintenance()).schema,
  });
}
