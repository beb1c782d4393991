// pnpm projects in the sandbox, against pnpm itself. Usage: npm run bench:pnpm
//   a real pnpm-lock.yaml (vite, vitest, react, eslint, jsdom, express: 300+ packages), cold: Nix fetches
//   every tarball and pnpm installs in the sandbox  vs  `pnpm install --frozen-lockfile` with an
//   empty store and cache, same machine, same run
//   the same build again, nothing changed (no fetch, no install)
//   one dependency bumped (one fetch, one install)
// pnpm is fetched with the user's npm (`npm pack`): its configuration decides the registry.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "bin/nixkit.cjs");
const work = mkdtempSync(path.join(os.tmpdir(), "nixkit-bench-pnpm-"));
const RUN_ID = `${process.pid}-${Date.now()}`;
const PNPM = "10.34.9";
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

// pnpm itself, and a home of its own for each run of it (no user store or cache).
execFileSync("npm", ["pack", `pnpm@${PNPM}`, "--pack-destination", work], { stdio: "ignore" });
execFileSync("tar", ["-xzf", path.join(work, `pnpm-${PNPM}.tgz`), "-C", work]);
const pnpm = (args, cwd, home) =>
  time(process.execPath, [path.join(work, "package/bin/pnpm.cjs"), ...args], cwd, {
    HOME: home,
    XDG_CACHE_HOME: path.join(home, "cache"),
    XDG_DATA_HOME: path.join(home, "data"),
    npm_config_store_dir: path.join(home, "store"),
  });

// The lockfile: made here by pnpm.
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
  JSON.stringify({ name: `bench-pnpm-${RUN_ID}`, version: "1.0.0", private: true, packageManager: `pnpm@${PNPM}`, dependencies }, null, 2),
);
pnpm(["install", "--lockfile-only"], lockProject, path.join(work, "home-lock"));
const lockText = readFileSync(path.join(lockProject, "pnpm-lock.yaml"), "utf8");
const packages = (lockText.split("\nsnapshots:")[0].match(/^ {2}\S.*:$/gm) ?? []).length;

// pnpm's own frozen install with an empty store and cache: downloads and installs everything.
const pnpmDir = path.join(work, "pnpm");
cpSync(lockProject, pnpmDir, { recursive: true });
const own = pnpm(["install", "--frozen-lockfile"], pnpmDir, path.join(work, "home-install"));

// nixkit: a project of its own name (a new install), in a store without its tarballs.
const project = path.join(work, "project");
cpSync(lockProject, project, { recursive: true });
writeFileSync(
  path.join(project, "nixkit.yaml"),
  `version: 1\nname: bench\nsystems: [${system}]\ninputs:\n  nixpkgs: "${nixpkgs}"\nbuilds:\n  app:\n    node: { lockfile: pnpm-lock.yaml }\n    script: |\n      mkdir -p $out\n      ls node_modules/.pnpm | wc -l > $out/count\n`,
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

// One dependency bumped, the way a user does it: pnpm rewrites the lockfile (vite 6.0.7 -> 6.0.6).
writeFileSync(
  path.join(project, "package.json"),
  readFileSync(path.join(project, "package.json"), "utf8").replace('"vite": "6.0.7"', '"vite": "6.0.6"'),
);
pnpm(["install", "--lockfile-only"], project, path.join(work, "home-bump"));
const bumped = time(process.execPath, [cli, "-C", project, "-v", "build"], project);

console.log(`pnpm-lock.yaml: ${packages} packages (${Object.keys(dependencies).join(", ")}), pnpm ${PNPM}`);
console.log(`pnpm install --frozen-lockfile, empty store and cache: ${seconds(own.ms)}`);
console.log(
  `nixkit build, cold (fetch+install): ${seconds(cold.ms)}  ${(cold.ms / own.ms).toFixed(2)}x pnpm  (${downloads(cold.stderr)} tarballs fetched)`,
);
console.log(
  `nixkit build, nothing changed:      ${seconds(again.ms)}  (${downloads(again.stderr)} fetched, install ${/building \S*pnpm-node-modules/.test(again.stderr) ? "ran" : "reused"})`,
);
console.log(`nixkit build, vite 6.0.7 -> 6.0.6:  ${seconds(bumped.ms)}  (${downloads(bumped.stderr)} fetched)`);
console.log(`RESULT pnpm_cold_s=${(cold.ms / 1000).toFixed(2)} ratio=${(cold.ms / own.ms).toFixed(2)}`);
console.log(`RESULT pnpm_noop_s=${(again.ms / 1000).toFixed(2)} ratio=${(again.ms / own.ms).toFixed(2)}`);
