// Start-up and generate timings of the built CLI, as ratios to a bare `node -e 0` measured in the
// same run (these machines are noisy). Median of RUNS runs each. Usage: npm run bench
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "bin/nixkit.cjs");
const RUNS = Number(process.env.BENCH_RUNS ?? 10);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function time(args, before = () => {}) {
  const samples = [];
  for (let i = 0; i < RUNS + 1; i++) {
    before();
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
    if (i > 0) samples.push(ms); // the first run warms the page cache
  }
  return median(samples);
}

const project = mkdtempSync(path.join(os.tmpdir(), "nixkit-bench-"));
cpSync(path.join(root, "examples/hello"), project, { recursive: true });
execFileSync(process.execPath, [cli, "-C", project, "generate"], { stdio: "ignore" });

const baseline = time(["-e", "0"]);
const rows = [
  ["node -e 0 (baseline)", baseline],
  ["nixkit --help", time([cli, "--help"])],
  ["nixkit --version", time([cli, "--version"])],
  ["nixkit generate (up to date)", time([cli, "-C", project, "generate"])],
  [
    "nixkit generate (writes all files)",
    time(
      [cli, "-C", project, "generate"],
      () =>
        rmSync(path.join(project, "flake.nix"), { force: true }) || rmSync(path.join(project, ".nixkit"), { recursive: true, force: true }),
    ),
  ],
  ["nixkit generate --check", time([cli, "-C", project, "generate", "--check"])],
];
rmSync(project, { recursive: true, force: true });

console.log(`median of ${RUNS} runs, node ${process.version}, ${os.cpus().length} cores`);
console.log("command".padEnd(38) + "ms".padStart(8) + "ratio".padStart(8));
for (const [name, ms] of rows) console.log(name.padEnd(38) + ms.toFixed(1).padStart(8) + (ms / baseline).toFixed(2).padStart(8));
const key = {
  "nixkit --help": "help_ms",
  "nixkit generate (up to date)": "generate_noop_ms",
  "nixkit generate (writes all files)": "generate_write_ms",
};
for (const [name, ms] of rows) if (key[name]) console.log(`RESULT ${key[name]}=${ms.toFixed(1)} ratio=${(ms / baseline).toFixed(2)}`);
