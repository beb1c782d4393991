// Dev shell entry timings on examples/hello with the offline package set, each the median of
// RUNS runs, interleaved with the baseline so machine noise hits both alike.
//   warm   `nixkit run -- true` with a cached environment (also counts nix processes: must be 0)
//   cold   `nixkit run -- true` after the cache is removed (one nix print-dev-env)
//   and, for comparison on the same flake: `nix print-dev-env --json`, `nix develop -c true`.
// Usage: npm run bench:shell   (BENCH_RUNS=20 by default)
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "bin/nixkit.cjs");
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const work = mkdtempSync(path.join(os.tmpdir(), "nixkit-bench-shell-"));
const project = path.join(work, "hello");
cpSync(path.join(root, "examples/hello"), project, { recursive: true });

// A nix wrapper that counts its invocations, so the warm path's zero is measured, not assumed.
const counter = path.join(work, "nix-calls");
const realNix = execFileSync("sh", ["-c", "command -v nix"]).toString().trim();
const wrapper = path.join(work, "nix");
writeFileSync(wrapper, `#!/bin/sh\necho x >> ${JSON.stringify(counter)}\nexec ${JSON.stringify(realNix)} "$@"\n`);
chmodSync(wrapper, 0o755);
const env = { ...process.env, NIX_CONFIG: "substituters =\nexperimental-features = nix-command flakes", NIXKIT_NIX: wrapper };
const nixpkgs = execFileSync(process.execPath, [cli, "offline-pkgs"], { env }).toString().trim();
const override = ["--override-input", "nixpkgs", nixpkgs, "--no-write-lock-file", "--option", "sandbox", "true"];
const nixCalls = () => {
  try {
    return readFileSync(counter, "utf8").split("\n").filter(Boolean).length;
  } catch {
    return 0;
  }
};
const clearCache = () => {
  for (const f of readdirSync(path.join(project, ".nixkit/cache/shell")))
    if (f.endsWith(".rc")) rmSync(path.join(project, ".nixkit/cache/shell", f));
};

function once(command, args, before) {
  before?.();
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: project, env, stdio: ["ignore", "ignore", "pipe"] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")}: ${result.stderr}`);
  return ms;
}

const cases = {
  "node -e 0 (baseline)": () => once(process.execPath, ["-e", "0"]),
  "nixkit run -- true (warm)": () => once(process.execPath, [cli, "--nixpkgs", nixpkgs, "run", "--", "true"]),
  "nixkit run -- true (cold)": () => once(process.execPath, [cli, "--nixpkgs", nixpkgs, "run", "--", "true"], clearCache),
  "nix print-dev-env --json": () => once(realNix, ["print-dev-env", "--json", ...override]),
  "  the same with --profile": () => once(realNix, ["print-dev-env", "--json", "--profile", path.join(work, "profile"), ...override]),
  "nix develop -c true": () => once(realNix, ["develop", ...override, "-c", "true"]),
};

once(process.execPath, [cli, "--nixpkgs", nixpkgs, "run", "--", "true"]); // generate files, build the env once
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
let warmNixCalls = 0;
for (let i = 0; i < RUNS; i++) {
  for (const [name, run] of Object.entries(cases)) {
    const before = nixCalls();
    samples[name].push(run());
    if (name.includes("(warm)")) warmNixCalls += nixCalls() - before;
  }
}
rmSync(work, { recursive: true, force: true });

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
const baseline = m["node -e 0 (baseline)"];
const pde = m["nix print-dev-env --json"];
console.log(`median of ${RUNS} interleaved runs, node ${process.version}, ${os.cpus().length} cores`);
console.log("command".padEnd(32) + "ms".padStart(8) + "  vs node -e 0" + "  vs print-dev-env");
for (const [name, ms] of Object.entries(m))
  console.log(name.padEnd(32) + ms.toFixed(1).padStart(8) + (ms / baseline).toFixed(2).padStart(14) + (ms / pde).toFixed(2).padStart(19));
console.log(`nix processes during ${RUNS} warm runs: ${warmNixCalls}`);
console.log(
  `RESULT warm_run_ms=${m["nixkit run -- true (warm)"].toFixed(1)} ratio=${(m["nixkit run -- true (warm)"] / baseline).toFixed(2)}`,
);
console.log(`RESULT warm_nix_processes=${warmNixCalls} ratio=0`);
console.log(`RESULT cold_run_ms=${m["nixkit run -- true (cold)"].toFixed(1)} ratio=${(m["nixkit run -- true (cold)"] / pde).toFixed(2)}`);
console.log(
  `RESULT cold_overhead_ms=${(m["nixkit run -- true (cold)"] - m["  the same with --profile"]).toFixed(1)} ratio=${(m["nixkit run -- true (cold)"] / m["  the same with --profile"]).toFixed(2)}`,
);
console.log(
  `RESULT nix_develop_ms=${m["nix develop -c true"].toFixed(1)} ratio=${(m["nix develop -c true"] / m["nixkit run -- true (warm)"]).toFixed(2)}`,
);
