// Scale: manifests of N tests and N/4 builds (each test needs one build), N = 50, 500, 2000
// (BENCH_SCALES). For each: nixkit generate (writing, then no-op), the generated flake's
// evaluation (every test's drvPath, eval cache off), the first run (nixkit test against one raw
// nix build of the same attributes in an identical project) and the no-op re-run (nixkit test
// against a raw nix build of the same attributes). Growth per item from one size to the next
// should stay near 1 (linear). Usage: npm run bench:scale
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "bin/nixkit.cjs");
const SCALES = (process.env.BENCH_SCALES ?? "50,500,2000").split(",").map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const env = { ...process.env, NIX_CONFIG: "substituters =\nexperimental-features = nix-command flakes" };
const nixpkgs = execFileSync(process.execPath, [cli, "offline-pkgs"], { env }).toString().trim();
const system = `${{ x64: "x86_64", arm64: "aarch64" }[process.arch]}-${process.platform}`;
const work = mkdtempSync(path.join(os.tmpdir(), "nixkit-bench-scale-"));
const RUN_ID = `${process.pid}-${Date.now()}`;
const nixVersion = execFileSync("nix", ["--version"]).toString().trim();

function makeProject(n, nonce) {
  const dir = path.join(work, `p${n}-${nonce}`);
  mkdirSync(path.join(dir, "src"), { recursive: true });
  const builds = Math.max(1, Math.floor(n / 4));
  writeFileSync(path.join(dir, "src", "input.txt"), `${nonce} ${RUN_ID}\n`);
  const lines = [`version: 1`, `name: scale`, `systems: [${system}]`, `inputs:`, `  nixpkgs: "${nixpkgs}"`, `builds:`];
  for (let i = 0; i < builds; i++)
    lines.push(`  b${i}:`, `    src: { include: ["src/**"] }`, `    script: mkdir -p $out; echo ${i} > $out/n`);
  lines.push(`tests:`);
  for (let i = 0; i < n; i++)
    lines.push(`  t${i}:`, `    needs: [b${i % builds}]`, `    script: cat $NIXKIT_BUILD_b${i % builds}/n > "$NIXKIT_REPORTS/n"`);
  writeFileSync(path.join(dir, "nixkit.yaml"), lines.join("\n") + "\n");
  return dir;
}

function time(command, args, cwd) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 << 20 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.slice(0, 5).join(" ")}: ${result.stderr.toString().slice(-2000)}`);
  return ms;
}
const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const nixArgs = ["--extra-experimental-features", "nix-command flakes"];
const testAttrs = (n) => Array.from({ length: n }, (_, i) => `.#legacyPackages.${system}.nixkit.testReports.t${i}`);
const rawBuild = [...nixArgs, "build", "--no-link", "--option", "sandbox", "true", "--max-jobs", "auto"];

const rows = [];
for (const n of SCALES) {
  const a = makeProject(n, "a");
  const b = makeProject(n, "b");
  const generateMs = time(process.execPath, [cli, "-C", a, "generate"], a);
  time(process.execPath, [cli, "-C", b, "generate"], b);
  const generateNoopMs = median(Array.from({ length: RUNS }, () => time(process.execPath, [cli, "-C", a, "generate"], a)));
  const evalMs = time(
    "nix",
    [
      ...nixArgs,
      "eval",
      "--option",
      "eval-cache",
      "false",
      "--json",
      `.#legacyPackages.${system}.nixkit.testReports`,
      "--apply",
      's: builtins.length (builtins.filter (d: d.drvPath != "") (builtins.attrValues s))',
    ],
    a,
  );
  const firstMs = time(process.execPath, [cli, "-C", a, "test"], a);
  const rawFirstMs = time("nix", [...rawBuild, ...testAttrs(n)], b);
  const noop = [];
  const rawNoop = [];
  for (let i = 0; i < RUNS; i++) {
    noop.push(time(process.execPath, [cli, "-C", a, "test"], a));
    rawNoop.push(time("nix", [...rawBuild, ...testAttrs(n)], a));
  }
  rows.push({
    n,
    builds: Math.max(1, Math.floor(n / 4)),
    generateMs,
    generateNoopMs,
    evalMs,
    firstMs,
    rawFirstMs,
    noopMs: median(noop),
    rawNoopMs: median(rawNoop),
  });
  rmSync(a, { recursive: true, force: true });
  rmSync(b, { recursive: true, force: true });
}
rmSync(work, { recursive: true, force: true });

console.log(`${nixVersion}, ${os.cpus().length} cores; no-op figures are medians of ${RUNS}`);
const head = ["tests", "builds", "generate", "gen no-op", "eval", "first run", "raw first", "ratio", "no-op", "raw no-op", "ratio"];
console.log(head.map((h) => h.padStart(10)).join(""));
for (const r of rows)
  console.log(
    [
      r.n,
      r.builds,
      r.generateMs,
      r.generateNoopMs,
      r.evalMs,
      r.firstMs,
      r.rawFirstMs,
      r.firstMs / r.rawFirstMs,
      r.noopMs,
      r.rawNoopMs,
      r.noopMs / r.rawNoopMs,
    ]
      .map((v, i) => (i === 7 || i === 10 ? v.toFixed(2) : Math.round(v).toString()).padStart(10))
      .join(""),
  );
// Growth per item from one size to the next: time ratio divided by size ratio (1 = linear).
for (let i = 1; i < rows.length; i++) {
  const [p, c] = [rows[i - 1], rows[i]];
  const grow = (k) => (c[k] / p[k] / (c.n / p.n)).toFixed(2);
  console.log(
    `${p.n} -> ${c.n}: per-item growth generate ${grow("generateMs")}, eval ${grow("evalMs")}, first run ${grow("firstMs")} (raw ${grow("rawFirstMs")}), no-op ${grow("noopMs")} (raw ${grow("rawNoopMs")})`,
  );
}
const last = rows.at(-1);
console.log(`RESULT scale_first_run_ms=${Math.round(last.firstMs)} ratio=${(last.firstMs / last.rawFirstMs).toFixed(2)}`);
console.log(`RESULT scale_noop_ms=${Math.round(last.noopMs)} ratio=${(last.noopMs / last.rawNoopMs).toFixed(2)}`);
console.log(
  `RESULT scale_generate_ms=${Math.round(last.generateMs)} ratio=${(last.generateMs / rows[0].generateMs / (last.n / rows[0].n)).toFixed(2)}`,
);
