// Interruption suite: every writing command is killed at seeded random points (SIGINT, SIGTERM,
// or SIGKILL of its whole process group, as `kill -9` of a job would), and after each kill every
// output is old or new, never half; the next run succeeds and leaves no temp file, aside copy,
// lock or temporary GC root anywhere. NIXKIT_INTERRUPT_KILLS sets the kills per command.
import { execa } from "execa";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { constants } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { cliPath, nixEnv, tempDir, versioned } from "../helpers.js";
import { editFile, exampleProject } from "./project.js";

const KILLS = Number(process.env.NIXKIT_INTERRUPT_KILLS ?? 7);
const SEED = Number(process.env.NIXKIT_INTERRUPT_SEED ?? 20261126);

// A small deterministic generator, so a failing series can be replayed with its seed.
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Setup {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Where outputs outside the project go. */
  out: string;
}

function setup(): Setup {
  const dir = exampleProject();
  const home = tempDir();
  return { dir, out: tempDir(), env: { ...nixEnv, XDG_CACHE_HOME: path.join(home, "cache"), XDG_CONFIG_HOME: path.join(home, "config") } };
}

async function runToEnd(s: Setup, args: string[]) {
  const result = await execa(process.execPath, [cliPath, "-C", s.dir, ...args], { env: s.env, reject: false, stdin: "ignore" });
  expect(result.exitCode, `${args.join(" ")}: ${result.stderr}`).toBe(0);
}

/** Starts the command in its own process group and kills it after `delayMs` with `signal`. */
async function interrupt(s: Setup, args: string[], delayMs: number, signal: NodeJS.Signals): Promise<void> {
  const child = spawn(process.execPath, [cliPath, "-C", s.dir, ...args], {
    env: { ...process.env, ...s.env },
    stdio: "ignore",
    detached: true,
  });
  let status: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<void>((resolve) => child.on("exit", (code, sig) => ((status = { code, signal: sig }), resolve())));
  await Promise.race([exited, new Promise((r) => setTimeout(r, delayMs))]);
  const finishedFirst = status !== undefined;
  const sent = Date.now();
  try {
    if (signal === "SIGKILL") process.kill(-child.pid!, "SIGKILL");
    else child.kill(signal);
  } catch {
    // it had finished already
  }
  await exited;
  if (!finishedFirst && signal !== "SIGKILL") {
    // Stopped within a second: exit 130 (or killed by the signal, before nixkit handles signals;
    // or, for `run`, 128 + the signal when it reached the command itself, as a shell reports it).
    expect(Date.now() - sent, `${args.join(" ")} after ${signal}`).toBeLessThan(1500);
    const expected = [130, 0, ...(args[0] === "run" ? [128 + constants.signals[signal]] : [])];
    expect(expected.includes(status!.code ?? -1) || status!.signal === signal, JSON.stringify(status)).toBe(true);
  }
  // Whatever the group started (nix) is gone too before the checks run.
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(-child.pid!, 0);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const LEFTOVER = /\.\d+\.[0-9a-z]+\.(tmp|old)$|^\.[^/]+\.lock$/;

/** Temp files, aside copies and locks below the directories, and temporary GC roots. */
function leftovers(s: Setup, ...extra: string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (LEFTOVER.test(entry.name)) found.push(full);
      if (entry.isDirectory() && !entry.isSymbolicLink()) walk(full);
    }
  };
  for (const dir of [s.dir, s.out, s.env.XDG_CACHE_HOME!, ...extra]) walk(dir);
  const tmpRoots = path.join(s.env.XDG_CACHE_HOME!, "nixkit/tmp-roots");
  if (existsSync(tmpRoots)) found.push(...readdirSync(tmpRoots).map((n) => path.join(tmpRoots, n)));
  return found;
}

const readIfExists = (file: string) => (existsSync(file) ? readFileSync(file) : undefined);
const linkTargetExists = (link: string) => !existsSync(link) || existsSync(readlinkSync(link));

/** A shell script is whole when its trailer counts the bytes before it. */
function rcWhole(file: string): boolean {
  const text = readFileSync(file);
  const trailer = text.toString("latin1").match(/# nixkit-env-end: (\d+) [0-9a-f]+\n$/);
  return trailer !== null && Number(trailer[1]) === text.length - Buffer.byteLength(trailer[0]);
}

interface Scenario {
  name: string;
  args: (s: Setup) => string[];
  /** Makes the next run do real work (a new input), before each kill. */
  change: (s: Setup, round: number) => void;
  /** Checks that the outputs are old or new right after a kill. */
  consistent: (s: Setup, before: Snapshot) => void;
  /** What `consistent` compares with. */
  snapshot?: (s: Setup) => Snapshot;
  prepare?: (s: Setup) => Promise<void>;
}
type Snapshot = Record<string, Buffer | undefined>;

const editGreeting = (s: Setup, round: number) =>
  editFile(path.join(s.dir, "nixkit.yaml"), (t) => t.replace(/GREETING: .*/, `GREETING: Hello-${round}-${Math.random()}`));
const editBuild = (s: Setup, round: number) =>
  editFile(path.join(s.dir, "nixkit.yaml"), (t) =>
    t.replace(
      /(chmod \+x "\$out\/bin\/greet"\n)( {6}echo .* > "\$out\/stamp"\n)?/,
      `$1      echo ${round}-${Math.random()} > "$out/stamp"\n`,
    ),
  );

const imageConsistent = (kind: string) => (s: Setup, before: Snapshot) => {
  const target = path.join(s.out, kind);
  if (kind === "oci") {
    if (!existsSync(target)) {
      // Only allowed while the old layout is set aside; the next write puts it back.
      expect(readdirSync(s.out).some((n) => n.startsWith(".oci.") && n.endsWith(".old")) || before.index === undefined).toBe(true);
      return;
    }
    const index = JSON.parse(readFileSync(path.join(target, "index.json"), "utf8"));
    const manifest = path.join(target, "blobs/sha256", index.manifests[0].digest.slice(7));
    expect(existsSync(manifest)).toBe(true);
    for (const layer of JSON.parse(readFileSync(manifest, "utf8")).layers) {
      expect(statSync(path.join(target, "blobs/sha256", layer.digest.slice(7))).size).toBe(layer.size);
    }
  } else if (existsSync(target)) {
    expect(readFileSync(target).subarray(0, 10).toString()).toBe("index.json");
    expect(statSync(target).size % 512).toBe(0);
  }
};

const imageScenario = (kind: "oci" | "oci-archive" | "docker-archive"): Scenario => ({
  name: `image build --out ${kind}`,
  args: (s) => ["image", "build", "greeter", "--out", `${kind}:${path.join(s.out, kind)}`],
  change: (s, round) => editFile(path.join(s.dir, "nixkit.yaml"), (t) => t.replace(/cmd: \[.*\]/, `cmd: [w${round}]`)),
  snapshot: (s) => ({ index: readIfExists(path.join(s.out, kind, "index.json")) }),
  consistent: imageConsistent(kind),
});

const scenarios: Scenario[] = [
  {
    name: "generate",
    args: () => ["generate"],
    change: editGreeting,
    snapshot: (s) => ({ flake: readIfExists(path.join(s.dir, "flake.nix")) }),
    consistent: (s, before) => {
      const flake = readIfExists(path.join(s.dir, "flake.nix"));
      // Old, or a whole new file (its header's content hash holds).
      if (flake && before.flake && !flake.equals(before.flake)) expect(flake.toString()).toMatch(/content=[0-9a-f]{64}\n/);
    },
  },
  {
    name: "build",
    args: () => ["build"],
    change: editBuild,
    consistent: (s) => expect(linkTargetExists(path.join(s.dir, "result-greet"))).toBe(true),
  },
  {
    name: "test",
    args: () => ["test"],
    change: editBuild,
    consistent: (s) => {
      const roots = path.join(s.dir, ".nixkit/cache/gcroots/tests/run");
      for (const gen of existsSync(roots) ? readdirSync(roots) : [])
        for (const link of readdirSync(path.join(roots, gen))) expect(linkTargetExists(path.join(roots, gen, link))).toBe(true);
    },
  },
  {
    name: "run (cold)",
    args: () => ["run", "--", "true"],
    change: editGreeting,
    consistent: (s) => {
      const shell = path.join(s.dir, ".nixkit/cache/shell");
      for (const rc of existsSync(shell) ? readdirSync(shell).filter((f) => f.endsWith(".rc")) : [])
        expect(rcWhole(path.join(shell, rc))).toBe(true);
    },
  },
  imageScenario("oci"),
  imageScenario("oci-archive"),
  imageScenario("docker-archive"),
  {
    name: "cache push",
    args: () => ["cache", "push"],
    prepare: async (s) => {
      mkdirSync(path.join(s.out, "cache"));
      editFile(path.join(s.dir, "nixkit.yaml"), (t) => `${t}cache:\n  url: file://${path.join(s.out, "cache")}\n`);
      await runToEnd(s, ["build"]);
    },
    change: (s, round) => {
      editBuild(s, round);
      return execa(process.execPath, [cliPath, "-C", s.dir, "build"], { env: s.env, reject: false });
    },
    consistent: (s) => {
      const cache = path.join(s.out, "cache");
      for (const info of existsSync(cache) ? readdirSync(cache).filter((f) => f.endsWith(".narinfo")) : []) {
        const url = readFileSync(path.join(cache, info), "utf8").match(/^URL: (.*)$/m)![1]!;
        expect(existsSync(path.join(cache, url)), `${info} names a missing ${url}`).toBe(true);
      }
    },
  },
];

describe(
  versioned(`interruptions (${KILLS} kills per command, seed ${SEED})`, "how nix and its builders stop on SIGINT, SIGTERM and SIGKILL"),
  () => {
    for (const [index, scenario] of scenarios.entries()) {
      test(scenario.name, async () => {
        const s = setup();
        await scenario.prepare?.(s);
        await runToEnd(s, scenario.args(s));
        // How long an uninterrupted run takes with a change: kills land anywhere in that span.
        await scenario.change(s, 0);
        const started = Date.now();
        await runToEnd(s, scenario.args(s));
        const span = Math.max(200, Date.now() - started);
        const next = random(SEED + index);
        for (let round = 1; round <= KILLS; round++) {
          await scenario.change(s, round);
          const before = scenario.snapshot?.(s) ?? {};
          const signal = (["SIGINT", "SIGTERM", "SIGKILL"] as const)[Math.floor(next() * 3)]!;
          await interrupt(s, scenario.args(s), Math.floor(next() * span), signal);
          scenario.consistent(s, before);
          await runToEnd(s, scenario.args(s));
          expect(leftovers(s).join("\n"), `after ${signal} in round ${round}`).toBe("");
        }
      });
    }
  },
);
