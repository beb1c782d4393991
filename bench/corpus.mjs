// The corpus projects (test/corpus/projects) through nixkit against their native commands, in
// the same run: `npm ci && npm test` (pytest for the Python one) in a fresh copy, against nixkit's
// test run after a change to a test file (the install reused from the store, the tests run in the
// sandbox) and its no-op (nothing changed: the result is cached). Median of RUNS runs.
// Usage: npm run bench:corpus (run the corpus tier once first, so the dependencies are in the store)
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "bin/nixkit.cjs");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const offline = spawnSync(process.execPath, [cli, "offline-pkgs"], { encoding: "utf8" }).stdout.trim();
const env = {
  ...process.env,
  NIXKIT_NIXPKGS: offline,
  NIX_CONFIG: "substituters =\nexperimental-features = nix-command flakes",
  NO_COLOR: "1",
};

// Each project: its native commands, and a test file a change touches.
const projects = {
  "node-test-failing": {
    native: [
      ["npm", "ci"],
      ["npm", "test"],
    ],
    touch: "test/parse.test.js",
    fails: true,
  },
  "tap-nested": {
    native: [
      ["npm", "ci"],
      ["npm", "test", "--", "test/queue.js"],
    ],
    touch: "test/queue.js",
  },
  "peer-legacy": {
    native: [
      ["npm", "ci"],
      ["npm", "test"],
    ],
    touch: "test/versions.test.js",
  },
  "jest-postinstall": {
    native: [
      ["npm", "ci"],
      ["npm", "test", "--", "--ci"],
    ],
    touch: "__tests__/cart.test.js",
  },
  "vitest-tsc": {
    native: [
      ["npm", "ci"],
      ["npm", "test"],
    ],
    touch: "src/slug.test.ts",
  },
  "mocha-husky": {
    native: [
      ["npm", "ci"],
      ["npm", "test"],
    ],
    touch: "test/words.test.js",
    git: true,
  },
  "pytest-src": { native: [["python3", "-m", "pytest", "-q", "-p", "no:cacheprovider"]], touch: "tests/test_stock.py" },
  "node-service-image": {
    native: [
      ["npm", "ci"],
      ["npm", "test"],
    ],
    touch: "test/server.test.js",
  },
};

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Runs the commands; the last one must exit with `lastStatus` (a project whose own test fails exits 1), the others with 0. */
function timed(commands, cwd, lastStatus = 0) {
  const start = process.hrtime.bigint();
  commands.forEach(([cmd, ...args], i) => {
    const result = spawnSync(cmd, args, { cwd, env, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    const want = i === commands.length - 1 ? lastStatus : 0;
    if (result.status !== want) throw new Error(`${cmd} ${args.join(" ")} in ${cwd}: exit ${result.status}, not ${want}: ${result.stderr}`);
  });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function copy(name, git) {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), "nixkit-bench-corpus-")), name);
  cpSync(path.join(root, "test/corpus/projects", name), dir, { recursive: true });
  if (git)
    for (const args of [
      ["init", "-q"],
      ["add", "-A"],
      ["-c", "user.email=b@example.org", "-c", "user.name=b", "commit", "-qm", "x"],
    ])
      spawnSync("git", ["-C", dir, ...args]);
  return dir;
}

const rows = [];
for (const [name, p] of Object.entries(projects)) {
  if (!readdirSync(path.join(root, "test/corpus/projects")).includes(name)) continue;
  const native = median(
    Array.from({ length: RUNS }, () => {
      const dir = copy(name, p.git);
      const ms = timed(p.native, dir, p.fails ? 1 : 0);
      rmSync(path.dirname(dir), { recursive: true, force: true });
      return ms;
    }),
  );
  const dir = copy(name, p.git);
  const status = p.fails ? 1 : 0;
  timed([[process.execPath, cli, "test"]], dir, status); // the install into the store, once
  const changed = median(
    Array.from({ length: RUNS }, (_, i) => {
      appendFileSync(path.join(dir, p.touch), `\n${p.touch.endsWith(".py") ? "#" : "//"} bench ${Date.now()}-${i}\n`);
      if (p.git) spawnSync("git", ["-C", dir, "add", "-A"]);
      return timed([[process.execPath, cli, "test"]], dir, status);
    }),
  );
  const noop = median(Array.from({ length: RUNS }, () => timed([[process.execPath, cli, "test"]], dir, status)));
  rmSync(path.dirname(dir), { recursive: true, force: true });
  rows.push({ name, native, changed, noop });
}

console.log(`median of ${RUNS} runs, 2 cores; native: ${"npm ci && npm test"} (pytest) in a fresh copy, npm's cache warm`);
console.log("project".padEnd(22) + ["native ms", "nixkit ms", "ratio", "no-op ms", "ratio"].map((h) => h.padStart(11)).join(""));
for (const r of rows)
  console.log(
    r.name.padEnd(22) +
      [r.native.toFixed(0), r.changed.toFixed(0), (r.changed / r.native).toFixed(2), r.noop.toFixed(0), (r.noop / r.native).toFixed(2)]
        .map((c) => c.padStart(11))
        .join(""),
  );
for (const r of rows) {
  console.log(`RESULT corpus_${r.name.replaceAll("-", "_")}_test_ms=${r.changed.toFixed(0)} ratio=${(r.changed / r.native).toFixed(2)}`);
  console.log(`RESULT corpus_${r.name.replaceAll("-", "_")}_noop_ms=${r.noop.toFixed(0)} ratio=${(r.noop / r.native).toFixed(2)}`);
}
