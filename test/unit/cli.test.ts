import { describe, expect, test } from "vitest";
import { buildProgram, type Call } from "../../src/cli.js";

async function parse(argv: string[]): Promise<Omit<Call, "run"> | { error: string }> {
  let received: Omit<Call, "run"> | undefined;
  const program = buildProgram(async ({ command, options, globals }) => {
    received = { command, options, globals };
  }, "0.0.0-test");
  program.configureOutput({ writeErr: () => {}, writeOut: () => {}, outputError: () => {} });
  try {
    await program.parseAsync(["node", "nixkit", ...argv]);
  } catch (error) {
    return { error: (error as { code: string }).code };
  }
  return received!;
}

describe("argv parsing", () => {
  test.each([
    [["build"], { command: "build", options: { names: [], jobs: "auto" } }],
    [
      ["test", "-j", "4", "--junit", "r.xml", "--rerun", "unit"],
      { command: "test", options: { names: ["unit"], jobs: "4", junit: "r.xml", rerun: true } },
    ],
    [["build", "app", "web"], { command: "build", options: { names: ["app", "web"] } }],
    [["init", "--template", "node", "--force"], { command: "init", options: { template: "node", force: true } }],
    [["init"], { command: "init", options: { template: "generic" } }],
    [["generate", "--check"], { command: "generate", options: { check: true } }],
    [["run", "--", "ls", "-la"], { command: "run", options: { command: ["ls", "-la"] } }],
    [["run", "--pure", "--", "env"], { command: "run", options: { command: ["env"], pure: true } }],
    [["lock", "--update"], { command: "lock", options: { update: true } }],
    [["lock", "--update", "nixpkgs"], { command: "lock", options: { update: "nixpkgs" } }],
    [
      ["-C", "/p", "--nixpkgs", "path:/x", "--json", "build"],
      { command: "build", globals: { directory: "/p", nixpkgs: "path:/x", json: true } },
    ],
    [["build", "-C", "/p", "-v"], { command: "build", globals: { directory: "/p", verbose: true } }],
    [["image", "build", "web", "--out", "oci:/tmp/x"], { command: "image build", options: { image: "web", out: "oci:/tmp/x" } }],
    [
      ["image", "push", "web", "--to", "docker://r/web:1", "--tls-verify", "false"],
      { command: "image push", options: { image: "web", to: "docker://r/web:1", tlsVerify: false } },
    ],
    [
      ["cache", "push", "builds", "tests", "--compression", "xz"],
      { command: "cache push", options: { kinds: ["builds", "tests"], compression: "xz" } },
    ],
    [
      ["ci", "--stages", "check,build", "--keep-going"],
      { command: "ci run", options: { stages: "check,build", keepGoing: true, jobs: "auto" } },
    ],
    [["ci", "generate", "--provider", "gitlab", "--check"], { command: "ci generate", options: { provider: "gitlab", check: true } }],
    [["gc", "--dry-run", "--keep", "2", "--keep-since", "3d"], { command: "gc", options: { dryRun: true, keep: "2", keepSince: "3d" } }],
    [["env", "--direnv"], { command: "env", options: { direnv: true } }],
  ])("%j", async (argv, expected) => {
    expect(await parse(argv)).toMatchObject(expected);
  });

  test.each([
    [["nope"], "commander.unknownCommand"],
    [["build", "--nope"], "commander.unknownOption"],
    [["-q", "-v", "build"], "commander.conflictingOption"],
    [["run"], "commander.missingArgument"],
    [["image", "push", "web"], "commander.missingMandatoryOptionValue"],
    [["--help"], "commander.helpDisplayed"],
  ])("%j is refused", async (argv, code) => {
    expect(await parse(argv)).toEqual({ error: code });
  });
});
