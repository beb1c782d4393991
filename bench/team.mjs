// Beyond one machine. Usage: npm run bench:team (as root: it makes a network namespace)
//   the example's pipeline (build, test) on this host  vs  with a remote builder doing the builds
//   (-j 0; a second host: its own network namespace, /nix and sshd), and where each build ran
//   host B with an empty store: time to a working shell, a passing test run and the image digest,
//   from the cache host A pushed  vs  building everything itself; bytes it downloaded
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "bin/nixkit.cjs");
const hosts = path.join(root, "test/hosts");
const work = mkdtempSync(path.join(os.tmpdir(), "nixkit-bench-team-"));
const env = {
  ...process.env,
  NIX_CONFIG: "substituters =\nexperimental-features = nix-command flakes",
  XDG_CONFIG_HOME: path.join(work, "config"),
};
const nixpkgs = execFileSync(process.execPath, [cli, "offline-pkgs"], { env }).toString().trim();
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

function run(args, cwd, extra = {}, wrap = []) {
  const [command, ...rest] = [...wrap, process.execPath, cli, ...args];
  const start = process.hrtime.bigint();
  const result = spawnSync(command, rest, { cwd, env: { ...env, ...extra }, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`nixkit ${args.join(" ")}: ${result.stderr}`);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** The example with work of its own: four builds of about a second each, and its test. */
function project(name) {
  const dir = path.join(work, name);
  cpSync(path.join(root, "examples/hello"), dir, { recursive: true });
  const stamp = `${name}-${process.pid}-${Date.now()}`;
  let text = readFileSync(path.join(dir, "nixkit.yaml"), "utf8").replace(/^ {2}nixpkgs: .*$/m, `  nixpkgs: "${nixpkgs}"`);
  text = text.replace('chmod +x "$out/bin/greet"', `chmod +x "$out/bin/greet"\n      echo ${stamp} > "$out/share/greet/stamp"`);
  const extra = [1, 2, 3, 4]
    .map((i) => `  work${i}:\n    script: |\n      sleep 1\n      mkdir -p $out && echo ${stamp}-${i} > $out/done\n`)
    .join("");
  text = text.replace(/^builds:\n/m, `builds:\n${extra}`);
  writeFileSync(path.join(dir, "nixkit.yaml"), text);
  run(["generate"], dir);
  return dir;
}

// 1. The pipeline here, then on a remote builder.
const builderDir = path.join(work, "builder");
mkdirSync(builderDir);
const machine = execFileSync("bash", [path.join(hosts, "builder-host.sh"), "start", builderDir, "250"])
  .toString()
  .trim();
try {
  const local = run(["ci", "--stages", "build,test"], project("local"));
  const remoteDir = project("remote");
  const remote = run(["ci", "--stages", "build,test", "-j", "0", "--builders", machine], remoteDir);
  const builtThere = readdirSync(path.join(builderDir, "nix/store")).filter((p) => /-(greet|work\d|nixkit-test-unit)$/.test(p));
  // The builder now has the toolchain (bash, busybox): the next project's pipeline copies only its sources.
  const warm = run(["ci", "--stages", "build,test", "-j", "0", "--builders", machine], project("remote-warm"));
  console.log(`pipeline (5 builds, 1 test) on this host: ${seconds(local.ms)}`);
  console.log(
    `the same with a remote builder doing the builds (-j 0): ${seconds(remote.ms)} with an empty builder store (${(remote.ms / local.ms).toFixed(2)}x), ${seconds(warm.ms)} once it has the toolchain (${(warm.ms / local.ms).toFixed(2)}x); built on the builder: ${builtThere.length} of 6, here: 0`,
  );
} finally {
  execFileSync("bash", [path.join(hosts, "builder-host.sh"), "stop", builderDir]);
}

// 2. Host B: an empty store, with and without the cache host A pushed.
const a = project("team-a");
const cache = path.join(work, "cache");
mkdirSync(cache);
execFileSync(process.execPath, [cli, "cache", "keygen", "--name", "team"], { env, stdio: "ignore" });
const publicKey = readFileSync(path.join(env.XDG_CONFIG_HOME, "nixkit/keys/team.pub"), "utf8").trim();
writeFileSync(
  path.join(a, "nixkit.yaml"),
  readFileSync(path.join(a, "nixkit.yaml"), "utf8") + `cache:\n  url: file://${cache}\n  publicKeys: ["${publicKey}"]\n`,
);
for (const args of [["build"], ["test"], ["run", "--", "true"], ["image", "build", "greeter"]]) run(args, a);
run(["cache", "push", "--key-file", path.join(env.XDG_CONFIG_HOME, "nixkit/keys/team.sec")], a);
const duBytes = (dir) => Number(execFileSync("du", ["-sb", dir]).toString().split("\t")[0]);

function hostB(name, withCache, index) {
  const dir = path.join(work, name);
  cpSync(a, dir, { recursive: true, filter: (src) => !/\/(\.nixkit\/cache|result[^/]*)$/.test(src) });
  if (!withCache)
    writeFileSync(path.join(dir, "nixkit.yaml"), readFileSync(path.join(dir, "nixkit.yaml"), "utf8").replace(/^cache:\n( {2}.*\n)+/m, ""));
  if (!withCache) run(["generate"], dir);
  // A second host of its own: network namespace, empty /nix (builder-host.sh; its sshd is unused).
  const hostDir = path.join(work, `${name}-host`);
  mkdirSync(hostDir);
  execFileSync("bash", [path.join(hosts, "builder-host.sh"), "start", hostDir, String(index)], { stdio: "ignore" });
  const wrap = ["bash", path.join(hosts, "builder-host.sh"), "run", hostDir];
  const extra = { XDG_CACHE_HOME: path.join(work, `${name}-cache`) };
  const shell = run(["run", "--", "true"], dir, extra, wrap).ms;
  const tests = run(["test"], dir, extra, wrap).ms;
  const image = run(["--json", "image", "build", "greeter"], dir, extra, wrap);
  const store = duBytes(path.join(hostDir, "nix/store"));
  // What B downloaded: the compressed size (narinfo FileSize) of every path in its store that the cache has.
  const downloaded = readdirSync(path.join(hostDir, "nix/store"))
    .map((name) => path.join(cache, `${name.slice(0, 32)}.narinfo`))
    .filter((narinfo) => existsSync(narinfo))
    .reduce((sum, narinfo) => sum + Number(/^FileSize: (\d+)$/m.exec(readFileSync(narinfo, "utf8"))?.[1] ?? 0), 0);
  execFileSync("bash", [path.join(hosts, "builder-host.sh"), "stop", hostDir]);
  return { shell, tests, image: image.ms, digest: JSON.parse(image.stdout).digest, store, downloaded: withCache ? downloaded : 0 };
}
const pulled = hostB("team-b", true, 251);
const alone = hostB("team-b-alone", false, 252);
console.log(
  `host B, empty store, from the shared cache: shell ${seconds(pulled.shell)}, + tests ${seconds(pulled.tests)}, + image ${seconds(pulled.image)} (total ${seconds(pulled.shell + pulled.tests + pulled.image)})`,
);
console.log(
  `host B, empty store, building it all itself: shell ${seconds(alone.shell)}, + tests ${seconds(alone.tests)}, + image ${seconds(alone.image)} (total ${seconds(alone.shell + alone.tests + alone.image)})`,
);
console.log(
  `  same image digest: ${pulled.digest === alone.digest}; downloaded ${(pulled.downloaded / 1e6).toFixed(2)} MB compressed (file:// cache) for a ${(pulled.store / 1e6).toFixed(1)} MB store`,
);
rmSync(work, { recursive: true, force: true });
