// The command groups: `nixkit image|cache|ci VERB`, each verb a function of its module.
import { Option, type Command } from "commander";
import { UserError } from "../util/errors.js";
import { buildOptions, declareCommand, tlsVerifyOption, type CommandSpec, type Dispatch } from "./declare.js";

const PROVIDERS = ["github", "gitlab"] as const;
const COMPRESSIONS = ["zstd", "xz", "none"] as const;

export function declareGroupCommands(program: Command, dispatch: Dispatch): void {
  const group = (name: string, description: string) => {
    const parent = program
      .command(name)
      .description(description)
      .exitOverride()
      .showHelpAfterError(`(run \`nixkit ${name} --help\` for usage)`);
    // `nixkit GROUP` alone is a usage error (ci runs its default verb instead).
    parent.action(() => {
      throw new UserError(`name what to do: nixkit ${name} ${parent.commands.map((c) => c.name()).join("|")}\n${parent.helpInformation()}`);
    });
    return <T extends object>(s: CommandSpec<T>) => declareCommand(program, parent, s, dispatch);
  };

  const image = group("image", "build, push and inspect container images");
  const images = () => import("../commands/image.js");
  image({
    name: "build",
    description: "write the image: --out oci:DIR | oci-archive:FILE | docker-archive:FILE",
    configure: (c) =>
      c.argument("<image>").option("--out <target>", "where to write it (default: an OCI layout in ~/.cache/nixkit/images)"),
    parse: (v) => ({ image: v.args[0]!, out: v.text("out") }),
    load: async () => (await images()).build,
  });
  image({
    name: "push",
    description: "build the image and copy it to a registry with skopeo",
    configure: (c) =>
      tlsVerifyOption(
        c.argument("<image>").requiredOption("--to <ref>", "docker://REGISTRY/NAME:TAG"),
        "verify the registry's TLS certificate",
      ),
    parse: (v) => ({ image: v.args[0]!, to: v.required("to"), tlsVerify: v.bool("tlsVerify") }),
    load: async () => (await images()).push,
  });
  image({
    name: "inspect",
    description: "build the image and show its layers and config",
    configure: (c) => c.argument("<image>"),
    parse: (v) => ({ image: v.args[0]! }),
    load: async () => (await images()).inspect,
  });

  const cache = group("cache", "a signed binary cache for what this project builds");
  const caches = () => import("../commands/cache.js");
  cache({
    name: "keygen",
    description: "make a signing key pair with nix key; print the public key",
    configure: (c) => c.option("--name <name>", "key name (default: the project name)").option("--force", "replace an existing key"),
    parse: (v) => ({ name: v.text("name"), force: v.flag("force") }),
    load: async () => (await caches()).keygen,
  });
  cache({
    name: "push",
    description: "copy the project's closures to the cache, signed: push [shell|builds|tests|images|all]",
    configure: (c) =>
      c
        .argument("[kinds...]")
        .option("--to <url>", "file:// or http(s):// cache (default: cache.url)")
        .option("--key-file <file>", "signing key (default: nixkit cache keygen's)")
        .addOption(new Option("--compression <c>", "zstd, xz or none").choices(COMPRESSIONS).default("zstd")),
    parse: (v) => ({
      kinds: v.args,
      url: v.text("to"),
      keyFile: v.text("keyFile"),
      compression: v.choice("compression", COMPRESSIONS) ?? "zstd",
    }),
    load: async () => (await caches()).push,
  });
  cache({
    name: "status",
    description: "how many paths and bytes of each closure the cache lacks",
    configure: (c) => c.argument("[kinds...]").option("--from <url>", "the cache (default: cache.url)"),
    parse: (v) => ({ kinds: v.args, url: v.text("from") }),
    load: async () => (await caches()).status,
  });
  cache({
    name: "pull",
    description: "substitute the project's outputs from the cache, building nothing",
    configure: (c) =>
      c
        .argument("[kinds...]")
        .option("--from <url>", "the cache (default: cache.url)")
        .option("--store <dir>", "a store other than the default one"),
    parse: (v) => ({ kinds: v.args, url: v.text("from"), store: v.text("store") }),
    load: async () => (await caches()).pull,
  });

  const ci = group(
    "ci",
    "the CI pipeline: run it here (the default; `nixkit ci run --help` lists its options), or generate GitHub Actions / GitLab CI files",
  );
  const pipelines = () => import("../commands/ci.js");
  ci({
    name: "run",
    description: "run the pipeline's stages here, in order, as CI runs them (the default)",
    isDefault: true,
    configure: (c) =>
      tlsVerifyOption(
        buildOptions(c)
          .option("--stages <list>", "comma-separated stages (default: ci.stages)")
          .option("--report <file>", "write the JSON report")
          .option("--junit <file>", "merge the tests' JUnit reports into FILE")
          .option("--keep-going", "run later stages after a failure"),
        "verify the registry's TLS certificate when pushing images",
      ),
    parse: (v) => ({
      stages: v.text("stages"),
      report: v.text("report"),
      junit: v.text("junit"),
      keepGoing: v.flag("keepGoing"),
      ...v.builders(),
      tlsVerify: v.bool("tlsVerify"),
    }),
    load: async () => (await pipelines()).run,
  });
  ci({
    name: "generate",
    description: "write .github/workflows/nixkit.yml and/or .gitlab-ci.yml",
    configure: (c) =>
      c
        .addOption(new Option("--provider <name>", "github or gitlab (default: ci.providers)").choices(PROVIDERS))
        .option("--check", "exit 1 if the files are stale; write nothing"),
    parse: (v) => ({ provider: v.choice("provider", PROVIDERS), check: v.flag("check") }),
    load: async () => (await pipelines()).generate,
  });
}
