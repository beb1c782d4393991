// Node dependencies in the sandbox, against npm itself. Usage: npm run bench:deps
//   a real lockfile (vite, vitest, react: 300+ packages), cold: Nix fetches every tarball and
//   npm ci installs in the sandbox  vs  `npm ci` with an empty npm cache, same machine, same run
//   the same build again, nothing changed (no fetch, no install)
//   one dependency bumped (one fetch, one install)
//   a pytest run inside `nixkit test` vs the same pytest outside Nix
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "bin/nixkit.cjs");
const work = mkdtempSync(path.join(os.tmpdir(), "nixkit-bench-deps-"));
const RUN_ID = `${process.pid}-${Date.now()}`;
const env = { ...process.env, NIX_CONFIG: "substituters =\nexperimental-features = nix-command flakes" };
const nixpkgs = execFileSync(process.execPath, [cli, "offline-pkgs"], { env }).toString().trim();
const system = `${{ x64: "x86_64", arm64: "aarch64" }[process.arch]}-${process.platform}`;

function time(command, args, cwd, extraEnv = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, env: { ...env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")}: ${result.stderr}`);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, stderr: String(result.stderr) };
}
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

// The lockfile: made here by npm (npm's configuration decides where packages come from).
const lockProject = path.join(work, "lock");
mkdirSync(lockProject);
writeFileSync(path.join(lockProject, "package.json"), JSON.stringify({ name: `bench-deps-${RUN_ID}`, version: "1.0.0", private: true }));
execFileSync(
  "npm",
  [
    "install",
    "--package-lock-only",
    "--no-audit",
    "--no-fund",
    "vite@6.0.7",
    "vitest@2.1.8",
    "react@18.3.1",
    "react-dom@18.3.1",
    "eslint@9.17.0",
    "jsdom@25.0.1",
    "@testing-library/react@16.1.0",
  ],
  {
    cwd: lockProject,
    stdio: "ignore",
  },
);
const lock = JSON.parse(readFileSync(path.join(lockProject, "package-lock.json"), "utf8"));
const packages = Object.keys(lock.packages).filter((p) => p.includes("node_modules/")).length;

// npm ci with an empty cache: downloads and installs everything.
const npmDir = path.join(work, "npm");
cpSync(lockProject, npmDir, { recursive: true });
const npm = time("npm", ["ci", "--no-audit", "--no-fund", "--cache", path.join(work, "npm-cache"), "--prefer-online"], npmDir);

// nixkit: a project of its own name (a new install), in a store without its tarballs.
const project = path.join(work, "project");
cpSync(lockProject, project, { recursive: true });
writeFileSync(
  path.join(project, "nixkit.yaml"),
  `version: 1\nname: bench\nsystems: [${system}]\ninputs:\n  nixpkgs: "${nixpkgs}"\nbuilds:\n  app:\n    node: {}\n    script: |\n      mkdir -p $out\n      ls node_modules | wc -l > $out/count\n`,
);
// Tarballs no install refers to are dead: delete them all, so every fetch is a real download.
const dead = execFileSync("nix-store", ["--gc", "--print-dead"], { stdio: ["ignore", "pipe", "ignore"], maxBuffer: 256 << 20 })
  .toString()
  .split("\n")
  .filter((p) => p.endsWith(".tgz"));
if (dead.length) execFileSync("nix-store", ["--delete", ...dead], { stdio: "ignore" });
const cold = time(process.execPath, [cli, "-C", project, "-v", "build"], project);
const downloads = (log) => new Set([...log.matchAll(/^downloading (\S+\.tgz)$/gm)].map((m) => m[1])).size;
const again = time(process.execPath, [cli, "-C", project, "-v", "build"], project);

// One dependency bumped, the way a user does it: npm rewrites the lockfile (vite 6.0.7 -> 6.0.6,
// whose own dependencies' ranges are the same).
const bumpedName = "vite";
const current = lock.packages[`node_modules/${bumpedName}`].version;
const other = "6.0.6";
execFileSync("npm", ["install", "--package-lock-only", "--no-audit", "--no-fund", `${bumpedName}@${other}`], {
  cwd: project,
  stdio: "ignore",
});
const bumped = time(process.execPath, [cli, "-C", project, "-v", "build"], project);

console.log(`lockfile: ${packages} packages (vite, vitest, react, react-dom, eslint, jsdom, @testing-library/react)`);
console.log(`npm ci, empty npm cache:           ${seconds(npm.ms)}`);
console.log(
  `nixkit build, cold (fetch+install): ${seconds(cold.ms)}  ${(cold.ms / npm.ms).toFixed(2)}x npm ci  (${downloads(cold.stderr)} tarballs fetched)`,
);
console.log(
  `nixkit build, nothing changed:      ${seconds(again.ms)}  (${downloads(again.stderr)} fetched, install ${/building \S*-node-modules/.test(again.stderr) ? "ran" : "reused"})`,
);
console.log(`nixkit build, ${bumpedName} ${current} -> ${other}: ${seconds(bumped.ms)}  (${downloads(bumped.stderr)} fetched)`);

// Python: the same pytest run inside a nixkit test (a changed input each time, so it runs) and
// outside Nix with the host's python3 and pytest.
const py = path.join(work, "py");
mkdirSync(path.join(py, "tests"), { recursive: true });
for (let i = 0; i < 20; i++)
  writeFileSync(
    path.join(py, "tests", `test_${i}.py`),
    `import numpy\n\ndef test_${i}():\n    assert numpy.arange(${i + 1}).sum() == ${((i + 1) * i) / 2}\n`,
  );
const pyManifest = (stamp) =>
  `version: 1\nname: py\nsystems: [${system}]\ninputs:\n  nixpkgs: "${nixpkgs}"\ntests:\n  unit:\n    python: { packages: [numpy, pytest] }\n    env: { STAMP: "${stamp}" }\n    script: python3 -m pytest -q -p no:cacheprovider --junitxml=$NIXKIT_REPORTS/junit.xml tests\n`;
writeFileSync(path.join(py, "nixkit.yaml"), pyManifest("warm"));
time(process.execPath, [cli, "-C", py, "test"], py);
const inside = [];
const outside = [];
for (let i = 0; i < 5; i++) {
  writeFileSync(path.join(py, "nixkit.yaml"), pyManifest(`${RUN_ID}-${i}`));
  inside.push(time(process.execPath, [cli, "-C", py, "test"], py).ms);
  outside.push(time("/usr/bin/python3", ["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], py).ms);
}
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
console.log(
  `pytest, 20 tests with numpy: nixkit test ${seconds(median(inside))} vs host pytest ${seconds(median(outside))}  (${(median(inside) / median(outside)).toFixed(2)}x)`,
);
