// The lockfile pass of `nixkit generate` at 1,000 / 10,000 / 50,000 package-lock.json entries:
// first pass (nothing cached), no-op (the same lockfile again: remembered by its hash), and after
// one entry changed; each as a ratio to the baseline of reading and parsing that lockfile in Node
// (`JSON.parse`), measured in the same run. Median of RUNS runs. Usage: npm run bench:lockfile
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "bin/nixkit.cjs");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIZES = (process.env.BENCH_SIZES ?? "1000,10000,50000").split(",").map(Number);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function run(args, env = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...env } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
  return ms;
}

// A lockfile shaped like npm's: nested node_modules paths, resolved URLs, sha512 integrity.
function lockfile(entries, salt = "") {
  const packages = { "": { name: "bench", version: "1.0.0", dependencies: {} } };
  for (let i = 0; i < entries; i++) {
    const name = i % 7 === 0 ? `@scope${i % 13}/pkg-${i}` : `pkg-${i}`;
    const where = i % 5 === 0 ? `node_modules/pkg-${i - 1}/node_modules/${name}` : `node_modules/${name}`;
    const integrity = `sha512-${createHash("sha512").update(`${name}${salt}`).digest("base64")}`;
    packages[where] = {
      version: `1.${i % 100}.${i % 7}`,
      resolved: `https://registry.example/${name}/-/${name.split("/").pop()}-1.${i % 100}.${i % 7}.tgz`,
      integrity,
      dependencies: { [`pkg-${i + 1}`]: "^1.0.0" },
      ...(i % 11 === 0 ? { dev: true } : {}),
    };
  }
  return JSON.stringify({ name: "bench", version: "1.0.0", lockfileVersion: 3, requires: true, packages }, null, 2);
}

const rows = [];
for (const entries of SIZES) {
  const project = mkdtempSync(path.join(os.tmpdir(), "nixkit-bench-lock-"));
  const lock = path.join(project, "package-lock.json");
  writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "bench", version: "1.0.0" }));
  writeFileSync(
    path.join(project, "nixkit.yaml"),
    `version: 1\nname: bench\ninputs:\n  nixpkgs: github:NixOS/nixpkgs/nixos-26.05\nbuilds:\n  app:\n    node: {}\n    script: mkdir $out\n`,
  );
  writeFileSync(lock, lockfile(entries));
  const cache = () => mkdtempSync(path.join(os.tmpdir(), "nixkit-bench-cache-"));
  const baseline = median(
    Array.from({ length: RUNS }, () => run(["-e", `JSON.parse(require("fs").readFileSync(${JSON.stringify(lock)}, "utf8"))`])),
  );
  // First pass: a cache of its own each time, so nothing is remembered.
  const cold = median(Array.from({ length: RUNS }, () => run([cli, "-C", project, "generate", "--force"], { XDG_CACHE_HOME: cache() })));
  const warmCache = cache();
  run([cli, "-C", project, "generate", "--force"], { XDG_CACHE_HOME: warmCache });
  const noop = median(Array.from({ length: RUNS }, () => run([cli, "-C", project, "generate"], { XDG_CACHE_HOME: warmCache })));
  const changed = median(
    Array.from({ length: RUNS }, (_, i) => {
      writeFileSync(lock, lockfile(entries, `change-${i}`));
      return run([cli, "-C", project, "generate"], { XDG_CACHE_HOME: warmCache });
    }),
  );
  rows.push({ entries, bytes: lockfile(entries).length, baseline, cold, noop, changed });
  rmSync(project, { recursive: true, force: true });
}

console.log(`median of ${RUNS} runs, node ${process.version}, ${os.cpus().length} cores; baseline: node parsing the lockfile`);
console.log(
  ["entries", "MB", "JSON.parse ms", "first ms", "ratio", "no-op ms", "ratio", "changed ms", "ratio"].map((h) => h.padStart(12)).join(""),
);
for (const r of rows) {
  const cells = [
    r.entries,
    (r.bytes / 1e6).toFixed(1),
    r.baseline.toFixed(0),
    r.cold.toFixed(0),
    (r.cold / r.baseline).toFixed(2),
    r.noop.toFixed(0),
    (r.noop / r.baseline).toFixed(2),
    r.changed.toFixed(0),
    (r.changed / r.baseline).toFixed(2),
  ];
  console.log(cells.map((c) => String(c).padStart(12)).join(""));
}
for (const r of rows) {
  console.log(`RESULT lockfile_first_${r.entries}_ms=${r.cold.toFixed(0)} ratio=${(r.cold / r.baseline).toFixed(2)}`);
  console.log(`RESULT lockfile_noop_${r.entries}_ms=${r.noop.toFixed(0)} ratio=${(r.noop / r.baseline).toFixed(2)}`);
  console.log(`RESULT lockfile_changed_${r.entries}_ms=${r.changed.toFixed(0)} ratio=${(r.changed / r.baseline).toFixed(2)}`);
}
