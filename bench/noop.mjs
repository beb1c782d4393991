// The no-ops, in one run on the nix on PATH (npm run bench:noop runs it on Nix 2.26 through
// scripts/modern-nix.sh), on examples/hello with everything cached, each against its baseline
// measured in the same run, interleaved, median of RUNS:
//   nixkit run -- true (warm)   vs  node -e 0
//   nixkit generate (no-op)     vs  node -e 0
//   nixkit test (no-op)         vs  a raw nix build of the same attribute
//   nixkit ci (all cached)      vs  the nix commands raw Nix needs for the same answers: those nixkit
//                                   issues when its build memo is cold (read from -v), run one by one
// and, for the warm run, the floor of any launcher written in Node: node spawning bash to source
// the environment script and exec `true`.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "bin/nixkit.cjs");
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const env = { ...process.env, NIX_CONFIG: "substituters =\nexperimental-features = nix-command flakes" };
const nixpkgs = execFileSync(process.execPath, [cli, "offline-pkgs"], { env }).toString().trim();
const system = `${{ x64: "x86_64", arm64: "aarch64" }[process.arch]}-${process.platform}`;
const work = mkdtempSync(path.join(os.tmpdir(), "nixkit-bench-noop-"));
const project = path.join(work, "hello");
cpSync(path.join(root, "examples/hello"), project, { recursive: true });
const manifest = path.join(project, "nixkit.yaml");
writeFileSync(manifest, readFileSync(manifest, "utf8").replace(/^ {2}nixpkgs: .*$/m, `  nixpkgs: "${nixpkgs}"`));
for (const args of [["generate"], ["lock"], ["ci", "generate"], ["ci"], ["test"], ["run", "--", "true"]])
  execFileSync(process.execPath, [cli, "-C", project, "-q", ...args], { env, stdio: "ignore" });

function time(command, args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: project, env, stdio: ["ignore", "pipe", "pipe"] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")}: ${result.stderr}`);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, stderr: result.stderr.toString() };
}
const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// The nix commands nixkit ci issues, as it logs them with -v ("$ nix ..."), with its temporary
// out-link directories made fixed so each run of them is the same command.
const nixCommands = (stderr) => stderr.split("\n").filter((l) => l.startsWith("$ nix "));
const warmCi = nixCommands(time(process.execPath, [cli, "-C", project, "-v", "ci"]).stderr);
rmSync(path.join(project, ".nixkit/cache/built.json"));
const issued = nixCommands(time(process.execPath, [cli, "-C", project, "-v", "ci"]).stderr).map((l) =>
  l
    .slice("$ nix ".length)
    .replace("--extra-experimental-features nix-command flakes", "--extra-experimental-features NIXCMD")
    .split(" ")
    .map((a) => (a === "NIXCMD" ? "nix-command flakes" : a.replace(/\/tmp-roots\/[^/]+\/r$/, "/tmp-roots/bench/r"))),
);
const rcFile = readdirSync(path.join(project, ".nixkit/cache/shell"))
  .filter((f) => f.endsWith(".rc"))
  .map((f) => path.join(project, ".nixkit/cache/shell", f))[0];
const spawnFloor = `require("child_process").spawn("bash", ["--norc", "--noprofile", "-c", 'source "$0" >&2; exec true', ${JSON.stringify(rcFile)}], { stdio: "ignore" })`;
const testAttr = `.#legacyPackages.${system}.nixkit.testReports.unit`;
const rawTest = ["--extra-experimental-features", "nix-command flakes", "build", "--no-link", "--option", "sandbox", "true", testAttr];

const samples = { node: [], spawnFloor: [], run: [], generate: [], test: [], rawTest: [], ci: [], rawCi: [] };
for (let i = 0; i < RUNS + 1; i++) {
  const round = {
    node: time(process.execPath, ["-e", "0"]).ms,
    spawnFloor: time(process.execPath, ["-e", spawnFloor]).ms,
    run: time(process.execPath, [cli, "-C", project, "run", "--", "true"]).ms,
    generate: time(process.execPath, [cli, "-C", project, "generate"]).ms,
    test: time(process.execPath, [cli, "-C", project, "test"]).ms,
    rawTest: time("nix", rawTest).ms,
    ci: time(process.execPath, [cli, "-C", project, "ci"]).ms,
    rawCi: issued.reduce((sum, args) => sum + time("nix", args).ms, 0),
  };
  // The first round warms the page cache.
  if (i > 0) for (const [k, v] of Object.entries(round)) samples[k].push(v);
}
rmSync(work, { recursive: true, force: true });
const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
const nixVersion = execFileSync("nix", ["--version"]).toString().trim();
console.log(`examples/hello, everything cached; ${nixVersion}, node ${process.version}, ${os.cpus().length} cores; medians of ${RUNS}`);
const rows = [
  ["run_warm", "nixkit run -- true (warm)", m.run, "node -e 0", m.node],
  ["generate_noop", "nixkit generate (no-op)", m.generate, "node -e 0", m.node],
  ["test_noop", "nixkit test (no-op)", m.test, "nix build of the same attribute", m.rawTest],
  ["ci_noop", "nixkit ci (all cached)", m.ci, `raw Nix's ${issued.length} commands, one by one`, m.rawCi],
];
console.log(
  `the warm run's floor: node spawning bash to source the env script, ${m.spawnFloor.toFixed(1)} ms (${(m.spawnFloor / m.node).toFixed(2)}× node -e 0)`,
);
console.log(`nixkit ci itself ran ${warmCi.length} nix command(s); raw Nix needs:`);
for (const [, name, ms, base, baseMs] of rows)
  console.log(
    `${name.padEnd(28)} ${ms.toFixed(1).padStart(7)} ms   ${base.padEnd(34)} ${baseMs.toFixed(1).padStart(7)} ms   ${(ms / baseMs).toFixed(2)}×`,
  );
for (const args of issued)
  console.log(
    `  nix ${args
      .filter((a) => a !== "nix-command flakes" && a !== "--extra-experimental-features")
      .slice(0, 3)
      .join(" ")} …`,
  );
for (const [key, , ms, , baseMs] of rows) console.log(`RESULT ${key}_ms=${ms.toFixed(1)} ratio=${(ms / baseMs).toFixed(2)}`);
