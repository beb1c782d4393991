// `nixkit ci` on an unchanged project (everything cached after a first run): total time, and
// its ratio to the sum of the raw nix commands it issues, each run on its own (read from -v).
// Usage: npm run bench:ci
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "bin/nixkit.cjs");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const work = mkdtempSync(path.join(os.tmpdir(), "nixkit-bench-ci-"));
const env = { ...process.env, NIX_CONFIG: "substituters =\nexperimental-features = nix-command flakes" };
const nixpkgs = execFileSync(process.execPath, [cli, "offline-pkgs"], { env }).toString().trim();
const project = path.join(work, "hello");
cpSync(path.join(root, "examples/hello"), project, { recursive: true });
const manifest = path.join(project, "nixkit.yaml");
writeFileSync(manifest, readFileSync(manifest, "utf8").replace(/^ {2}nixpkgs: .*$/m, `  nixpkgs: "${nixpkgs}"`));
for (const args of [["generate"], ["lock"], ["ci", "generate"], ["ci"]])
  execFileSync(process.execPath, [cli, "-C", project, "-q", ...args], { env, stdio: "ignore" });

const time = (command, args) => {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: project, env, stdio: ["ignore", "pipe", "pipe"] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")}: ${result.stderr}`);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, stderr: result.stderr.toString() };
};
const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// The nix commands nixkit ci issues, as it logs them with -v ("$ nix ...").
const verbose = time(process.execPath, [cli, "-C", project, "-v", "ci"]).stderr;
const commands = verbose
  .split("\n")
  .filter((l) => l.startsWith("$ nix "))
  .map((l) => l.slice(2));
const rawArgs = commands.map((c) => {
  const parts = c.replace("--extra-experimental-features nix-command flakes", "--extra-experimental-features NIXCMD").split(" ");
  return parts
    .slice(1)
    .map((a) => (a === "NIXCMD" ? "nix-command flakes" : a))
    .map((a) => a.replace(/\/tmp-roots\/[^/]+\/r$/, "/tmp-roots/bench/r"));
});
const nixkitMs = [];
const rawMs = [];
for (let i = 0; i < RUNS; i++) {
  nixkitMs.push(time(process.execPath, [cli, "-C", project, "ci"]).ms);
  rawMs.push(rawArgs.reduce((sum, args) => sum + time("nix", args).ms, 0));
}
rmSync(work, { recursive: true, force: true });
const n = median(nixkitMs);
const r = median(rawMs);
console.log(`examples/hello, all stages cached; medians of ${RUNS}`);
console.log(`nixkit ci:                               ${n.toFixed(0)} ms`);
console.log(`the ${rawArgs.length} nix commands it issues, one by one: ${r.toFixed(0)} ms   (nixkit/raw ${(n / r).toFixed(2)})`);
for (const args of rawArgs)
  console.log(
    `  nix ${args
      .filter((a) => a !== "nix-command flakes" && a !== "--extra-experimental-features")
      .slice(0, 4)
      .join(" ")} …`,
  );
console.log(`RESULT ci_noop_ms=${n.toFixed(0)} ratio=${(n / r).toFixed(2)}`);
