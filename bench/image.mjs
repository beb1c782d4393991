// Image-writing figures on a synthetic closure of mixed file sizes (random and text data),
// built with the offline package set. Usage: npm run bench:image   (BENCH_IMAGE_MB=300 default)
//   cold build (empty layer cache)   vs   tar -c <closure> | gzip -1 > /dev/null (one pass of
//                                         reading and compressing: the physical floor)
//   no-op rebuild: time, and bytes read from layer contents (must be 0)
//   app-only change: time as a share of cold
//   peak RSS of the cold build
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "bin/nixkit.cjs");
const TOTAL_MB = Number(process.env.BENCH_IMAGE_MB ?? 300);
const PACKAGES = 20;
const work = mkdtempSync(path.join(os.tmpdir(), "nixkit-bench-image-"));
const RUN_ID = `${process.pid}-${Date.now()}`;
const env = {
  ...process.env,
  NIX_CONFIG: "substituters =\nexperimental-features = nix-command flakes",
  XDG_CACHE_HOME: path.join(work, "cache"),
};
const nixpkgs = execFileSync(process.execPath, [cli, "offline-pkgs"], { env }).toString().trim();
const system = `${{ x64: "x86_64", arm64: "aarch64" }[process.arch]}-${process.platform}`;

// Each package: files from 1 KiB to 4 MiB, half random (incompressible), half repetitive text.
const perPackageKb = Math.round((TOTAL_MB * 1024) / PACKAGES);
const blobScript = (i) => `mkdir -p $out/share/blob${i}
left=${perPackageKb}; n=0; size=1
while [ $left -gt 0 ]; do
  kb=$(( size < left ? size : left ))
  if [ $((n % 2)) -eq 0 ]; then head -c $((kb * 1024)) /dev/urandom > $out/share/blob${i}/f$n.bin
  else head -c $((kb * 1024)) < <(yes "package ${i} line $n of text for the compressor ${RUN_ID}") > $out/share/blob${i}/f$n.txt; fi
  left=$((left - kb)); n=$((n + 1)); size=$(( size >= 4096 ? 1 : size * 4 ))
done`;
const project = path.join(work, "project");
mkdirSync(project);
const builds = [
  `  app:\n    script: |\n      mkdir -p $out/bin\n      printf '#!/bin/sh\\necho app %s\\n' "$APP_VERSION" > $out/bin/app\n      chmod +x $out/bin/app\n    env: { APP_VERSION: "1-${RUN_ID}" }`,
];
for (let i = 0; i < PACKAGES; i++)
  builds.push(
    `  blob${i}:\n    script: |\n${blobScript(i)
      .split("\n")
      .map((l) => `      ${l}`)
      .join("\n")}`,
  );
const manifest = (appVersion) =>
  `version: 1\nname: bench\nsystems: [${system}]\ninputs:\n  nixpkgs: "${nixpkgs}"\nbuilds:\n${builds.join("\n").replace(`1-${RUN_ID}`, appVersion)}\nimages:\n  big:\n    contents: [app, ${Array.from({ length: PACKAGES }, (_, i) => `blob${i}`).join(", ")}, busybox]\n    entrypoint: [/bin/app]\n`;
writeFileSync(path.join(project, "nixkit.yaml"), manifest(`1-${RUN_ID}`));
execFileSync(process.execPath, [cli, "-C", project, "-q", "build"], { env, stdio: ["ignore", "ignore", "inherit"] });

function run(command, args, shell = false) {
  const start = process.hrtime.bigint();
  const result = shell
    ? spawnSync("sh", ["-c", command], { env })
    : spawnSync("/usr/bin/time", ["-f", "%M", command, ...args], { env, maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command}: ${result.stderr}`);
  const rssKb = shell ? 0 : Number(result.stderr.toString().trim().split("\n").at(-1));
  return { ms, rssKb, stdout: result.stdout.toString() };
}
const image = () => run(process.execPath, [cli, "-C", project, "--json", "image", "build", "big"]);

const cold = image();
const coldJson = JSON.parse(cold.stdout);
const rootPath = readlinkSync(path.join(project, ".nixkit/cache/gcroots/images/big/1/root"));
const closure = execFileSync("nix", ["--extra-experimental-features", "nix-command", "path-info", "--recursive", rootPath], { env })
  .toString()
  .trim()
  .split("\n")
  .filter((p) => p !== rootPath);
const sizeMb =
  Number(
    execFileSync("du", ["-sbL", "--", ...closure])
      .toString()
      .trim()
      .split("\n")
      .reduce((a, l) => a + Number(l.split("\t")[0]), 0),
  ) / 1e6;
const listFile = path.join(work, "closure.txt");
writeFileSync(listFile, closure.join("\n"));
const floor = run(`tar -c -T ${listFile} 2>/dev/null | gzip -1 > /dev/null`, [], true);
const noop = image();
writeFileSync(path.join(project, "nixkit.yaml"), manifest(`2-${RUN_ID}`));
execFileSync(process.execPath, [cli, "-C", project, "-q", "build", "app"], { env, stdio: ["ignore", "ignore", "inherit"] });
const appChange = image();
const appJson = JSON.parse(appChange.stdout);
rmSync(work, { recursive: true, force: true });

console.log(
  `closure: ${closure.length} store paths, ${sizeMb.toFixed(0)} MB on disk; ${coldJson.layers.length} layers; gzip level 1; ${os.cpus().length} cores`,
);
console.log(
  `cold image build (empty layer cache):  ${(cold.ms / 1000).toFixed(2)} s  ${(sizeMb / (cold.ms / 1000)).toFixed(0)} MB/s  peak RSS ${(cold.rssKb / 1024).toFixed(0)} MiB`,
);
console.log(
  `tar -c | gzip -1 > /dev/null (floor):  ${(floor.ms / 1000).toFixed(2)} s  ${(sizeMb / (floor.ms / 1000)).toFixed(0)} MB/s   (cold/floor ${(cold.ms / floor.ms).toFixed(2)})`,
);
console.log(
  `no-op rebuild:                         ${noop.ms.toFixed(0)} ms, ${JSON.parse(noop.stdout).contentBytesRead} bytes of layer content read`,
);
console.log(
  `app-only change:                       ${appChange.ms.toFixed(0)} ms (${((appChange.ms / cold.ms) * 100).toFixed(1)} % of cold), ${(appJson.contentBytesRead / 1e6).toFixed(2)} MB read`,
);
console.log(`RESULT image_cold_s=${(cold.ms / 1000).toFixed(2)} ratio=${(cold.ms / floor.ms).toFixed(2)}`);
console.log(`RESULT image_noop_ms=${noop.ms.toFixed(0)} ratio=${(noop.ms / cold.ms).toFixed(3)}`);
console.log(`RESULT image_app_change_ms=${appChange.ms.toFixed(0)} ratio=${(appChange.ms / cold.ms).toFixed(3)}`);
console.log(`RESULT image_peak_rss_mib=${(cold.rssKb / 1024).toFixed(0)} ratio=${(cold.rssKb / 1024 / 256).toFixed(2)}`);
