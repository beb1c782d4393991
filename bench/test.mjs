// Test-runner figures on a generated project with N independent tests (each sleeps briefly and
// writes a report), against the offline package set. Usage: npm run bench:test
//   first run, in one nix invocation (parallel)   vs   one raw `nix build` of the same attributes,
//                                                  and the same tests built one by one
//   no-op re-run (all cached)                      vs   a raw `nix build` of the same attributes
//   after changing one test's source: how many ran and how many were cached
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "bin/nixkit.cjs");
const N = Number(process.env.BENCH_TESTS ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SLEEP = process.env.BENCH_SLEEP ?? "0.3";
const env = { ...process.env, NIX_CONFIG: "substituters =\nexperimental-features = nix-command flakes" };
const nixpkgs = execFileSync(process.execPath, [cli, "offline-pkgs"], { env }).toString().trim();
const system = `${{ x64: "x86_64", arm64: "aarch64" }[process.arch]}-${process.platform}`;
const work = mkdtempSync(path.join(os.tmpdir(), "nixkit-bench-test-"));
// Part of every test's source, so each bench run starts from results nobody has built.
const RUN_ID = `${process.pid}-${Date.now()}`;

function makeProject(nonce) {
  const dir = path.join(work, `p-${nonce}`);
  mkdirSync(path.join(dir, "t"), { recursive: true });
  const tests = [];
  for (let i = 0; i < N; i++) {
    writeFileSync(path.join(dir, "t", `${i}.txt`), `test ${i} ${nonce} ${RUN_ID}\n`);
    tests.push(`  t${i}:\n    src: { include: ["t/${i}.txt"] }\n    script: sleep ${SLEEP}; cp t/${i}.txt "$NIXKIT_REPORTS/out.txt"`);
  }
  writeFileSync(
    path.join(dir, "nixkit.yaml"),
    `version: 1\nname: bench\nsystems: [${system}]\ninputs:\n  nixpkgs: "${nixpkgs}"\ntests:\n${tests.join("\n")}\n`,
  );
  execFileSync(process.execPath, [cli, "-C", dir, "generate"], { env, stdio: "ignore" });
  return dir;
}

function time(command, args, cwd) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} ${args.slice(0, 4).join(" ")}: ${result.stderr}`);
  return { ms, stdout: result.stdout.toString() };
}
const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const attrs = Array.from({ length: N }, (_, i) => `.#legacyPackages.${system}.nixkit.testReports.t${i}`);
const nixArgs = [
  "--extra-experimental-features",
  "nix-command flakes",
  "build",
  "--no-link",
  "--option",
  "sandbox",
  "true",
  "--max-jobs",
  "auto",
];

// First run: all N tests in one nixkit invocation; then the same kind of tests one nix build each.
const parallelDir = makeProject("parallel");
const parallel = time(process.execPath, [cli, "-C", parallelDir, "--json", "test"]);
const rawDir = makeProject("raw");
const rawFirst = time("nix", [...nixArgs, ...attrs], rawDir);
const serialDir = makeProject("serial");
let serialMs = 0;
for (const attr of attrs) serialMs += time("nix", [...nixArgs, attr], serialDir).ms;

// No-op re-runs, interleaved with raw nix builds of the same (cached) attributes.
const noop = [];
const raw = [];
for (let i = 0; i < RUNS; i++) {
  noop.push(time(process.execPath, [cli, "-C", parallelDir, "--json", "test"]).ms);
  raw.push(time("nix", [...nixArgs, ...attrs], parallelDir).ms);
}

// One test's source changes: only it runs.
writeFileSync(path.join(parallelDir, "t", "7.txt"), `changed ${RUN_ID}\n`);
const after = JSON.parse(time(process.execPath, [cli, "-C", parallelDir, "--json", "test"]).stdout).tests;
const ran = after.filter((t) => !t.cached).map((t) => t.name);
rmSync(work, { recursive: true, force: true });

const noopMs = median(noop);
const rawMs = median(raw);
console.log(`${N} tests (sleep ${SLEEP}s each), ${os.cpus().length} cores, no-op figures are medians of ${RUNS}`);
console.log(`first run, one nixkit test (parallel):   ${(parallel.ms / 1000).toFixed(1)} s`);
console.log(
  `same tests, one raw nix build of all:    ${(rawFirst.ms / 1000).toFixed(1)} s   (nixkit/raw ${(parallel.ms / rawFirst.ms).toFixed(2)})`,
);
console.log(
  `same tests, one nix build each:          ${(serialMs / 1000).toFixed(1)} s   (parallel/serial ${(parallel.ms / serialMs).toFixed(2)})`,
);
console.log(`no-op re-run, nixkit test:               ${noopMs.toFixed(0)} ms`);
console.log(`no-op, raw nix build of the ${N} attrs:    ${rawMs.toFixed(0)} ms   (nixkit/raw ${(noopMs / rawMs).toFixed(2)})`);
console.log(`after changing one test's source: ran ${ran.length} (${ran.join(", ")}), cached ${after.length - ran.length}`);
console.log(`RESULT first_run_s=${(parallel.ms / 1000).toFixed(1)} ratio=${(parallel.ms / serialMs).toFixed(2)}`);
console.log(`RESULT first_run_overhead ratio=${(parallel.ms / rawFirst.ms).toFixed(2)}`);
console.log(`RESULT noop_rerun_ms=${noopMs.toFixed(0)} ratio=${(noopMs / rawMs).toFixed(2)}`);
console.log(`RESULT ran_after_one_change=${ran.length} ratio=${(ran.length / N).toFixed(2)}`);
