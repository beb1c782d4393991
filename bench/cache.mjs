// Binary cache and GC figures, offline package set. Usage: npm run bench:cache
//   push of a closure to file:// (zstd, signed)  vs  raw `nix copy` of the same closure, same settings
//   zstd vs xz write time for the same closure
//   `nixkit gc --dry-run` on a store with at least 10,000 paths
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "bin/nixkit.cjs");
const MB = Number(process.env.BENCH_CACHE_MB ?? 256);
const XZ_MB = 32; // xz is ~50x slower: measured on a smaller closure, compared per MB
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const work = mkdtempSync(path.join(os.tmpdir(), "nixkit-bench-cache-"));
const RUN_ID = `${process.pid}-${Date.now()}`;
const env = {
  ...process.env,
  NIX_CONFIG: "substituters =\nexperimental-features = nix-command flakes",
  XDG_CONFIG_HOME: path.join(work, "config"),
};
const nixpkgs = execFileSync(process.execPath, [cli, "offline-pkgs"], { env }).toString().trim();
const system = `${{ x64: "x86_64", arm64: "aarch64" }[process.arch]}-${process.platform}`;
const project = path.join(work, "project");
mkdirSync(project);
const kb = MB * 1024;
writeFileSync(
  path.join(project, "nixkit.yaml"),
  `version: 1\nname: bench\nsystems: [${system}]\ninputs:\n  nixpkgs: "${nixpkgs}"\nbuilds:\n  data:\n    script: |\n      mkdir -p $out\n      head -c $((${kb} / 2 * 1024)) /dev/urandom > $out/random.bin\n      head -c $((${kb} / 2 * 1024)) < <(yes "text for the compressor ${RUN_ID}") > $out/text.txt\n  small:\n    script: |\n      mkdir -p $out\n      head -c $((${XZ_MB * 512} * 1024)) /dev/urandom > $out/random.bin\n      head -c $((${XZ_MB * 512} * 1024)) < <(yes "text ${RUN_ID}") > $out/text.txt\n`,
);
execFileSync(process.execPath, [cli, "-C", project, "-q", "build"], { env, stdio: ["ignore", "ignore", "inherit"] });
execFileSync(process.execPath, [cli, "-C", project, "cache", "keygen"], { env, stdio: "ignore" });
const out = readlinkSync(path.join(project, "result-data"));
const small = readlinkSync(path.join(project, "result-small"));
const key = path.join(env.XDG_CONFIG_HOME, "nixkit/keys/bench.sec");

function time(command, args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")}: ${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}
const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fresh = (name) => {
  const d = path.join(work, `${name}-${Math.random()}`);
  mkdirSync(d);
  return `file://${d}`;
};

const nixkitPush = [];
const rawCopy = [];
for (let i = 0; i < RUNS; i++) {
  nixkitPush.push(time(process.execPath, [cli, "-C", project, "cache", "push", "--to", fresh("a"), "builds"]));
  rawCopy.push(
    time("nix", [
      "--extra-experimental-features",
      "nix-command",
      "copy",
      "--to",
      `${fresh("b")}?compression=zstd&secret-key=${key}`,
      out,
      small,
    ]),
  );
}
const nixCopy = (compression, storePath) =>
  time("nix", [
    "--extra-experimental-features",
    "nix-command",
    "copy",
    "--to",
    `${fresh(compression)}?compression=${compression}&secret-key=${key}`,
    storePath,
  ]);
const zstdSmall = nixCopy("zstd", small);
const xzSmall = nixCopy("xz", small);

// A store with at least 10,000 paths: small files added by one evaluation (no builds).
const countPaths = () =>
  Number(execFileSync("sh", ["-c", "nix --extra-experimental-features nix-command path-info --all | wc -l"], { env }).toString());
const have = countPaths();
if (have < 10000) {
  execFileSync(
    "nix",
    [
      "--extra-experimental-features",
      "nix-command",
      "eval",
      "--expr",
      `builtins.foldl' (n: p: n + builtins.stringLength p) 0 (builtins.genList (i: builtins.toFile "bench-${RUN_ID}-\${toString i}" (toString i)) ${10000 - have + 100})`,
    ],
    { env, stdio: "ignore" },
  );
}
const storePaths = countPaths();
const dryRun = median(Array.from({ length: RUNS }, () => time(process.execPath, [cli, "-C", project, "gc", "--dry-run"])));
rmSync(work, { recursive: true, force: true });

// The push copies both builds; subtract nothing, but compare with a raw copy of both too.
const push = median(nixkitPush);
const raw = median(rawCopy);
console.log(`closure: ${MB + XZ_MB} MB (two builds, half random, half text); medians of ${RUNS}`);
console.log(`nixkit cache push (file://, zstd, signed):  ${push.toFixed(0)} ms  ${((MB + XZ_MB) / (push / 1000)).toFixed(0)} MB/s`);
console.log(
  `raw nix copy, same settings:               ${raw.toFixed(0)} ms  ${((MB + XZ_MB) / (raw / 1000)).toFixed(0)} MB/s   (throughput ratio ${(raw / push).toFixed(2)})`,
);
console.log(
  `${XZ_MB} MB closure: zstd ${zstdSmall.toFixed(0)} ms, xz ${xzSmall.toFixed(0)} ms   (xz/zstd ${(xzSmall / zstdSmall).toFixed(1)}x)`,
);
console.log(`nixkit gc --dry-run, ${storePaths} store paths:  ${dryRun.toFixed(0)} ms`);
console.log(`RESULT push_throughput_mb_s=${((MB + XZ_MB) / (push / 1000)).toFixed(0)} ratio=${(raw / push).toFixed(2)}`);
console.log(`RESULT xz_vs_zstd_ms=${xzSmall.toFixed(0)} ratio=${(xzSmall / zstdSmall).toFixed(1)}`);
console.log(`RESULT gc_dry_run_ms=${dryRun.toFixed(0)} ratio=${(dryRun / 5000).toFixed(2)}`);
