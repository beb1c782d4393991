// Rust crates in the sandbox, against cargo itself. Usage: npm run bench:rust
//   a binary with serde (derive), serde_json, regex and anyhow (Cargo.lock made by the cargo on
//   PATH), cold: Nix fetches every crate by its checksum, vendors them and `cargo build --release
//   --frozen` runs in the sandbox  vs  `cargo fetch && cargo build --release` with an empty cargo
//   home and target directory, same run
//   the same build again, nothing changed; a code change (the compile, no crate fetched)
// The registry is the one the user's cargo is configured with.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { cli, nixpkgs, seconds, system, time } from "./common.mjs";

const RUN_ID = `${process.pid}-${Date.now()}`;
const work = mkdtempSync(path.join(os.tmpdir(), "nixkit-bench-rust-"));
const offlineNixpkgs = nixpkgs();
// (a cargo older than 1.68 reaches a sparse index only when asked to)
const cargoEnv = (home) => ({ CARGO_HOME: home, CARGO_UNSTABLE_SPARSE_REGISTRY: "true" });

function crate(dir) {
  mkdirSync(path.join(dir, "src"), { recursive: true });
  writeFileSync(
    path.join(dir, "Cargo.toml"),
    `[package]\nname = "bench"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nserde = { version = "1", features = ["derive"] }\nserde_json = "1"\nregex = "1"\nanyhow = "1"\n`,
  );
  writeFileSync(
    path.join(dir, "src/main.rs"),
    `use serde::{Deserialize, Serialize};\n#[derive(Serialize, Deserialize)]\nstruct Line { word: String, n: usize }\nfn main() -> anyhow::Result<()> {\n    let re = regex::Regex::new(r"\\w+")?;\n    let words: Vec<Line> = re.find_iter("hello nix world").enumerate().map(|(n, m)| Line { word: m.as_str().into(), n }).collect();\n    println!("{}", serde_json::to_string(&words)?);\n    Ok(())\n}\n`,
  );
}

// The lock, made once by the user's cargo; both sides build from it.
const lockDir = path.join(work, "lock");
crate(lockDir);
execFileSync("cargo", ["generate-lockfile"], {
  cwd: lockDir,
  env: { ...process.env, ...cargoEnv(path.join(work, "lock-home")) },
  stdio: "ignore",
});
const lock = readFileSync(path.join(lockDir, "Cargo.lock"), "utf8");
const crates = (lock.match(/^checksum = /gm) ?? []).length;

// cargo's own cold build: empty cargo home and target directory.
const cargoDir = path.join(work, "cargo");
crate(cargoDir);
writeFileSync(path.join(cargoDir, "Cargo.lock"), lock);
const own = time("sh", ["-c", "cargo fetch --locked && cargo build --release --frozen"], cargoDir, cargoEnv(path.join(work, "cargo-home")));

// nixkit: a project of its own (its build is new), no crate in the store.
const project = path.join(work, "project");
crate(project);
writeFileSync(path.join(project, "Cargo.lock"), lock);
writeFileSync(
  path.join(project, "nixkit.yaml"),
  `version: 1\nname: bench\nsystems: [${system}]\ninputs:\n  nixpkgs: "${offlineNixpkgs}"\nbuilds:\n  app:\n    rust: {}\n    script: cargo build --release --frozen && mkdir -p $out/bin && cp target/release/bench $out/bin/ && echo ${RUN_ID} > $out/run\n`,
);
const dead = execFileSync("nix-store", ["--gc", "--print-dead"], { stdio: ["ignore", "pipe", "ignore"], maxBuffer: 256 << 20 })
  .toString()
  .split("\n")
  .filter((p) => /\.crate$|-cargo-vendor$/.test(p));
for (const p of dead) spawnSync("nix-store", ["--delete", p], { stdio: "ignore" });
const home = cargoEnv(path.join(work, "nixkit-cargo-home"));
const cold = time(process.execPath, [cli, "-C", project, "-v", "build"], project, home);
const downloads = (log) =>
  new Set([...log.matchAll(/^download(?:ing|ed) (\S+\/download)(?: \(while generating\))?$/gm)].map((m) => m[1])).size;
const again = time(process.execPath, [cli, "-C", project, "-v", "build"], project, home);
writeFileSync(path.join(project, "src/main.rs"), `${readFileSync(path.join(project, "src/main.rs"), "utf8")}// ${RUN_ID}\n`);
const changed = time(process.execPath, [cli, "-C", project, "-v", "build"], project, home);

console.log(`serde + serde_json + regex + anyhow: Cargo.lock of ${crates} crates, ${system}`);
console.log(`cargo fetch && cargo build --release, empty caches:  ${seconds(own.ms)}`);
console.log(
  `nixkit build, cold (fetch, vendor, build):          ${seconds(cold.ms)}  ${(cold.ms / own.ms).toFixed(2)}x cargo  (${downloads(cold.stderr)} crates fetched)`,
);
console.log(`nixkit build, nothing changed:                      ${seconds(again.ms)}`);
console.log(
  `nixkit build, a code change:                        ${seconds(changed.ms)}  (${downloads(changed.stderr)} crates fetched, ${/^building cargo-vendor$/m.test(changed.stderr) ? "vendored again" : "vendor directory reused"})`,
);
console.log(`RESULT rust_cold_s=${(cold.ms / 1000).toFixed(2)} ratio=${(cold.ms / own.ms).toFixed(2)}`);
console.log(`RESULT rust_noop_s=${(again.ms / 1000).toFixed(2)}`);
rmSync(work, { recursive: true, force: true });
