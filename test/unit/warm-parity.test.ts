// The fast paths of main.ts parse their few options by hand (src/util/leading-options.ts, to keep
// commander off them): the warm `run` and `shell`, and a `generate` with nothing to do. Whenever
// one takes a command line, commander must read that line the same way: the same command,
// directory, nixpkgs, --pure or --check, and arguments. Fixed seed.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { buildProgram, type Call } from "../../src/cli.js";
import { parseFastGenerate } from "../../src/generate/fresh-stamp.js";
import { parseWarm } from "../../src/shell/warm-path.js";
import { findProjectDir } from "../../src/state/project-dir.js";

const TOKENS = [
  "run",
  "shell",
  "generate",
  "--check",
  "--force",
  "--",
  "-C",
  "--directory",
  "--directory=a",
  "--nixpkgs",
  "--nixpkgs=path:/p",
  "--nixpkgs=",
  "-q",
  "--quiet",
  "-v",
  "--json",
  "--pure",
  "--stale-ok",
  "-Ca",
  "a",
  "b c",
  "-la",
  "--help",
  "=",
  "",
];

const token = fc.constantFrom(...TOKENS);
// Mostly well-formed lines (global options, a command, its options, `--` and arguments), each part
// sometimes replaced by any token, so both sides of every branch of the hand parser are reached.
const globalOption = fc.oneof(
  fc.tuple(fc.constantFrom("-C", "--directory", "--nixpkgs"), token),
  fc.tuple(fc.constantFrom("-q", "--quiet", "--directory=a", "--nixpkgs=path:/p", "--nixpkgs=")),
  fc.tuple(token),
);
const commandLine = (commands: string[], option: string) =>
  fc
    .tuple(
      fc.array(globalOption, { maxLength: 3 }),
      fc.oneof(fc.constantFrom(...commands), token),
      fc.array(fc.oneof(fc.constant(option), token), { maxLength: 2 }),
      fc.option(fc.array(token, { maxLength: 3 }), { nil: undefined }),
    )
    .map(([globals, command, options, rest]) => [...globals.flat(), command, ...options, ...(rest ? ["--", ...rest] : [])]);

/** What commander hands the command, or the error it stops with. */
async function commanderReads(argv: string[]): Promise<Call | Error> {
  let call: Call | undefined;
  const program = buildProgram(async (c) => void (call = c), "0.0.0");
  program.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  try {
    await program.parseAsync(["node", "nixkit", ...argv]);
  } catch (error) {
    return error as Error;
  }
  return call ?? new Error("no command ran");
}

describe("the warm path's argument parsing", () => {
  test("reads every command line it accepts as commander does (fixed seed, 3000 runs)", async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(commandLine(["run", "shell"], "--pure"), fc.constantFrom(undefined, "", "path:/env"), async (argv, envNixpkgs) => {
        const env = envNixpkgs === undefined ? {} : { NIXKIT_NIXPKGS: envNixpkgs };
        const warm = parseWarm(argv, env);
        if (!warm) return;
        accepted++;
        const call = await commanderReads(argv);
        expect(call, `commander refuses ${JSON.stringify(argv)}`).not.toBeInstanceOf(Error);
        const { command, options, globals } = call as Call;
        const read = options as { pure: boolean; command?: string[] };
        expect(command).toBe(warm.command);
        expect(findProjectDir(globals.directory)).toBe(warm.projectDir);
        expect(globals.nixpkgs ?? (env.NIXKIT_NIXPKGS || undefined)).toBe(warm.nixpkgsOverride);
        expect(read.pure).toBe(warm.pure);
        expect(read.command ?? []).toEqual(warm.args);
      }),
      { seed: 2121, numRuns: 3000 },
    );
    // The alphabet reaches the warm path often enough to mean something.
    expect(accepted).toBeGreaterThan(200);
  });

  test("generate: every line the fast path takes, commander reads alike (fixed seed, 3000 runs)", async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(commandLine(["generate"], "--check"), async (argv) => {
        const fast = parseFastGenerate(argv, {});
        if (!fast) return;
        accepted++;
        const call = await commanderReads(argv);
        expect(call, `commander refuses ${JSON.stringify(argv)}`).not.toBeInstanceOf(Error);
        const { command, options, globals } = call as Call;
        expect(command).toBe("generate");
        expect(findProjectDir(globals.directory)).toBe(fast.projectDir);
        expect(options).toEqual({ check: fast.check, force: false });
      }),
      { seed: 2122, numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(60);
  });

  test.each([
    [["run", "--", "npm", "test"]],
    [["-C", "a", "run", "--pure", "--", "ls", "-la"]],
    [["--nixpkgs=path:/p", "shell"]],
    [["-q", "--directory", "b c", "shell", "--pure"]],
  ])("%j", async (argv) => {
    const warm = parseWarm(argv, {});
    expect(warm).toBeDefined();
    const call = (await commanderReads(argv)) as Call;
    expect(call.command).toBe(warm!.command);
  });
});
