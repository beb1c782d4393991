// yarn projects in the sandbox, against yarn itself. Usage: npm run bench:yarn (yarn 4), or
// node bench/yarn.mjs 1 (yarn 1)
//   a real yarn.lock (vite, vitest, react, eslint, jsdom, express: 300+ packages; yarn 4 with
//   nodeLinker node-modules), cold: every download fetched (yarn 4: each cache archive made from
//   its tarball by nixkit's fetch ahead) and checked by Nix, yarn installs in the sandbox  vs
//   `yarn install --immutable` (yarn 1: --frozen-lockfile) with an empty cache, same machine, same run
//   the same build again, nothing changed (no fetch, no install)
//   one dependency bumped (one fetch, one install)
// yarn is fetched with the user's npm (`npm pack`); yarn itself is pointed at npm's registry.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "bin/nixkit.cjs");
const work = mkdtempSync(path.join(os.tmpdir(), "nixkit-bench-yarn-"));
const RUN_ID = `${process.pid}-${Date.now()}`;
const CLASSIC = process.argv[2] === "1";
const YARN = CLASSIC ? "1.22.22" : "4.18.1";
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

// yarn itself, and a home and cache of its own for each run of it.
const npmPackage = CLASSIC ? "yarn" : "@yarnpkg/cli-dist";
execFileSync("npm", ["pack", `${npmPackage}@${YARN}`, "--pack-destination", work], { stdio: "ignore" });
execFileSync("tar", ["-xzf", path.join(work, `${CLASSIC ? "yarn" : "yarnpkg-cli-dist"}-${YARN}.tgz`), "-C", work]);
const registry = execFileSync("npm", ["config", "get", "registry"]).toString().trim();
const yarn = (args, cwd, home) =>
  time(process.execPath, [path.join(work, "package/bin/yarn.js"), ...args], cwd, {
    HOME: home,
    YARN_CACHE_FOLDER: path.join(home, "cache"),
    YARN_ENABLE_GLOBAL_CACHE: "false",
    YARN_ENABLE_TELEMETRY: "false",
    YARN_NPM_REGISTRY_SERVER: registry,
    YARN_REGISTRY: registry,
  });
const lockOnly = CLASSIC ? ["install", "--ignore-scripts", "--no-progress"] : ["install", "--mode=update-lockfile"];

// The lockfile: made here by yarn.
const lockProject = path.join(work, "lock");
mkdirSync(lockProject);
const dependencies = {
  vite: "6.0.7",
  vitest: "2.1.8",
  react: "18.3.1",
  "react-dom": "18.3.1",
  eslint: "9.17.0",
  jsdom: "25.0.1",
  "@testing-library/react": "16.1.0",
  express: "4.21.2",
};
writeFileSync(
  path.join(lockProject, "package.json"),
  JSON.stringify({ name: `bench-yarn-${RUN_ID}`, version: "1.0.0", private: true, packageManager: `yarn@${YARN}`, dependencies }, null, 2),
);
if (!CLASSIC) writeFileSync(path.join(lockProject, ".yarnrc.yml"), "nodeLinker: node-modules\n");
writeFileSync(path.join(lockProject, "yarn.lock"), "");
yarn(lockOnly, lockProject, path.join(work, "home-lock"));
const lockText = readFileSync(path.join(lockProject, "yarn.lock"), "utf8");
const packages = (lockText.match(CLASSIC ? /^ {2}resolved "/gm : /^ {2}resolution: "(?:@[^/"]+\/)?[^@"]+@npm:/gm) ?? []).length;
for (const made of [".yarn", "node_modules"]) rmSync(path.join(lockProject, made), { recursive: true, force: true });

// yarn's own immutable install with an empty cache: downloads and installs everything.
const yarnDir = path.join(work, "yarn");
cpSync(lockProject, yarnDir, { recursive: true });
const own = yarn(["install", CLASSIC ? "--frozen-lockfile" : "--immutable"], yarnDir, path.join(work, "home-install"));

// nixkit: a project of its own name (a new install), in a store without its tarballs.
const project = path.join(work, "project");
cpSync(lockProject, project, { recursive: true });
writeFileSync(
  path.join(project, "nixkit.yaml"),
  `version: 1\nname: bench\nsystems: [${system}]\ninputs:\n  nixpkgs: "${nixpkgs}"\nbuilds:\n  app:\n    node: { lockfile: yarn.lock }\n    script: |\n      mkdir -p $out\n      ls node_modules | wc -l > $out/count\n`,
);
// Archives no install refers to are dead: delete them all, so every fetch is a real download.
const dead = execFileSync("nix-store", ["--gc", "--print-dead"], { stdio: ["ignore", "pipe", "ignore"], maxBuffer: 256 << 20 })
  .toString()
  .split("\n")
  .filter((p) => p.endsWith(".zip") || p.endsWith(".tgz"));
if (dead.length) execFileSync("nix-store", ["--delete", ...dead], { stdio: "ignore" });
const cold = time(process.execPath, [cli, "-C", project, "-v", "build"], project);
const downloads = (log) => new Set([...log.matchAll(/^downloading (\S+\.tgz)$/gm)].map((m) => m[1])).size;
const again = time(process.execPath, [cli, "-C", project, "-v", "build"], project);

// One dependency bumped, the way a user does it: yarn rewrites the lockfile (vite 6.0.7 -> 6.0.6).
writeFileSync(
  path.join(project, "package.json"),
  readFileSync(path.join(project, "package.json"), "utf8").replace('"vite": "6.0.7"', '"vite": "6.0.6"'),
);
yarn(lockOnly, project, path.join(work, "home-bump"));
for (const made of [".yarn", "node_modules"]) rmSync(path.join(project, made), { recursive: true, force: true });
const bumped = time(process.execPath, [cli, "-C", project, "-v", "build"], project);

console.log(
  `yarn.lock: ${packages} packages (${Object.keys(dependencies).join(", ")}), yarn ${YARN}${CLASSIC ? "" : ", nodeLinker node-modules"}`,
);
console.log(`yarn install ${CLASSIC ? "--frozen-lockfile" : "--immutable"}, empty cache: ${seconds(own.ms)}`);
console.log(
  `nixkit build, cold (fetch+install): ${seconds(cold.ms)}  ${(cold.ms / own.ms).toFixed(2)}x yarn  (${downloads(cold.stderr)} tarballs fetched)`,
);
console.log(
  `nixkit build, nothing changed:      ${seconds(again.ms)}  (${downloads(again.stderr)} fetched, install ${/building \S*yarn-node-modules/.test(again.stderr) ? "ran" : "reused"})`,
);
console.log(`nixkit build, vite 6.0.7 -> 6.0.6:  ${seconds(bumped.ms)}  (${downloads(bumped.stderr)} fetched)`);
const tag = CLASSIC ? "yarn1" : "yarn";
console.log(`RESULT ${tag}_cold_s=${(cold.ms / 1000).toFixed(2)} ratio=${(cold.ms / own.ms).toFixed(2)}`);
console.log(`RESULT ${tag}_noop_s=${(again.ms / 1000).toFixed(2)} ratio=${(again.ms / own.ms).toFixed(2)}`);
