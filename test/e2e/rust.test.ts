// Rust crates, for real: a crate with dependencies (itoa, hex; semver for its tests), its Cargo.lock
// made by the cargo on PATH from the registry cargo is configured with; every crate fetched by Nix
// by Cargo.lock's checksum and vendored offline; a binary built with `cargo build --release
// --frozen` and `cargo test` run in the sandbox, its output as JUnit with libtest's own counts; the
// shell's toolchain; the binary's image run in runc; a bump that fetches one crate; a code change
// that fetches nothing; a git dependency refused naming the crate.
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, onTestFinished, test } from "vitest";
import { nix, nixkit, repoRoot, tempDir } from "../helpers.js";
import { editFile, offlinePkgs } from "./project.js";
import { runImage } from "./run-image.js";

const manifest = () => `version: 1
name: greeter
systems: [x86_64-linux]
inputs:
  nixpkgs: ${JSON.stringify(offlinePkgs())}
shell:
  rust: {}
builds:
  greet:
    rust: {}
    script: cargo build --release --frozen && mkdir -p $out/bin && cp target/release/greet $out/bin/
tests:
  unit:
    rust: {}
    script: cargo test --frozen 2>&1 | tee $NIXKIT_REPORTS/cargo-test.txt
images:
  greet:
    contents: [greet]
    entrypoint: [/bin/greet]
`;

// A cargo home of the test's own (cargo keeps its downloads there); a cargo older than 1.68 needs
// the sparse protocol asked for (this machine reaches the registry's sparse index only).
const cargoEnv = (dir: string) => ({
  CARGO_HOME: path.join(path.dirname(dir), `${path.basename(dir)}-cargo-home`),
  CARGO_UNSTABLE_SPARSE_REGISTRY: "true",
});
const cargo = (args: string[], cwd: string) => execa("cargo", args, { cwd, env: cargoEnv(cwd), reject: false });
const run = (args: string[], cwd: string) => nixkit(args, { cwd, env: cargoEnv(cwd) });

async function rustProject(): Promise<string> {
  const dir = tempDir();
  onTestFinished(() => rmSync(cargoEnv(dir).CARGO_HOME, { recursive: true, force: true }));
  cpSync(path.join(repoRoot, "test/fixtures/rust-greeter"), dir, { recursive: true });
  writeFileSync(path.join(dir, "nixkit.yaml"), manifest());
  // A source of its own: its builds are new to the store.
  writeFileSync(path.join(dir, "run-id"), `${process.pid}-${Date.now()}-${Math.random()}\n`);
  const locked = await cargo(["generate-lockfile"], dir);
  expect(locked.exitCode, locked.stderr).toBe(0);
  return dir;
}

/** The crates a `nixkit -v` run downloaded (while generating, or ahead of the build), as NAME/VERSION. */
const fetchedCrates = (log: string): string[] =>
  [
    ...new Set([...log.matchAll(/^download(?:ing|ed) \S*?\/([^/\s]+\/[^/\s]+)\/download(?: \(while generating\))?$/gm)].map((m) => m[1]!)),
  ].sort();

/** libtest's own count of the tests it ran or ignored, from its summaries in the test's log. */
const libtestCount = (log: string) =>
  [...log.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/g)].reduce(
    (n, m) => n + Number(m[1]) + Number(m[2]) + Number(m[3]),
    0,
  );

describe("Rust crates", () => {
  test("a binary built and tests run offline from Cargo.lock; cargo test's output becomes JUnit with libtest's counts; the shell has the toolchain; the image runs", async () => {
    const dir = await rustProject();
    const built = await run(["build"], dir);
    expect(built.exitCode, built.stderr).toBe(0);
    const greeted = await execa(path.join(dir, "result-greet/bin/greet"), ["nix"]);
    expect(greeted.stdout).toBe("hello, nix #1 (6e6978)");

    // The test is another derivation on the same vendored crates: nothing fetched or unpacked again.
    const tested = await run(["test", "-v", "--junit", "junit.xml"], dir);
    expect(tested.exitCode, tested.stderr).toBe(0);
    expect(fetchedCrates(tested.stderr)).toEqual([]);
    expect(tested.stderr).not.toMatch(/^building cargo-vendor$/m);
    const junit = readFileSync(path.join(dir, "junit.xml"), "utf8");
    const log = readFileSync(path.join(/\/nix\/store\/\S+?-nixkit-test-unit/.exec(tested.stdout)![0], "log"), "utf8");
    expect([...junit.matchAll(/<testcase /g)].length).toBe(libtestCount(log));
    expect(junit).toMatch(/<testsuite [^>]*name="greeter unittests src\/lib.rs"[^>]*tests="4" failures="0" errors="0" skipped="1"/);
    for (const name of ["tests::greets_by_name", "crate_version_parses", "src/lib.rs - greeting (line 5)"])
      expect(junit).toContain(`name="${name}"`);

    const shell = await run(["run", "--", "sh", "-c", "cargo --version && rustc --version && cc --version"], dir);
    expect(shell.exitCode, shell.stderr).toBe(0);
    expect(shell.stdout).toMatch(/^cargo \d+\.\d+/m);
    expect(shell.stdout).toMatch(/^rustc \d+\.\d+/m);

    // The binary loads the store's glibc: the image carries it, and runs with no host library.
    const image = await run(["--json", "image", "build", "greet"], dir);
    expect(image.exitCode, image.stderr).toBe(0);
    const ran = await runImage((JSON.parse(image.stdout) as { output: string }).output.replace(/^oci:/, ""), ["runc"]);
    expect(ran.exitCode, ran.stderr).toBe(0);
    expect(ran.stdout).toBe("hello, runc #1 (72756e63)\n".trimEnd());
  });

  test("a bump fetches that crate only and a code change none; a failing test fails with its output in the JUnit failure", async () => {
    const dir = await rustProject();
    // An earlier run may have fetched itoa 1.0.10 and vendored it: delete them (with what refers
    // to them), so that the bump fetches for real.
    const earlier = readdirSync("/nix/store").filter(
      (n) => /-itoa-1\.0\.10\.crate$/.test(n) || (/-cargo-vendor$/.test(n) && existsSync(path.join("/nix/store", n, "crates/itoa-1.0.10"))),
    );
    for (const name of earlier) {
      const referrers = await execa("nix-store", ["--query", "--referrers-closure", `/nix/store/${name}`], { reject: false });
      for (const referrer of referrers.stdout.split("\n").filter(Boolean).reverse()) await nix(["store", "delete", referrer], dir);
    }
    const first = await run(["build"], dir);
    expect(first.exitCode, first.stderr).toBe(0);

    editFile(path.join(dir, "Cargo.toml"), (t) => t.replace('itoa = "=1.0.9"', 'itoa = "=1.0.10"'));
    const updated = await cargo(["update", "-p", "itoa"], dir);
    expect(updated.exitCode, updated.stderr).toBe(0);
    const bumped = await run(["build", "-v"], dir);
    expect(bumped.exitCode, bumped.stderr).toBe(0);
    expect(fetchedCrates(bumped.stderr), bumped.stderr).toEqual(["itoa/1.0.10"]);
    expect(bumped.stderr).toMatch(/^building cargo-vendor$/m);

    editFile(path.join(dir, "src/lib.rs"), (t) =>
      t.replace('assert!(greeting("x", 42)', 'assert_eq!(2 + 2, 5, "broken on purpose");\n        assert!(greeting("x", 42)'),
    );
    const broken = await run(["test", "-v", "--junit", "junit.xml"], dir);
    expect(broken.exitCode, broken.stderr).toBe(1);
    expect(fetchedCrates(broken.stderr)).toEqual([]);
    expect(broken.stderr).not.toMatch(/^building cargo-vendor$/m);
    expect(readFileSync(path.join(dir, "junit.xml"), "utf8")).toMatch(
      /<testcase [^>]*name="tests::counts"[^>]*>\s*<failure[^>]*>[^<]*broken on purpose/,
    );
  });

  test("a git dependency in Cargo.lock is refused at its line, naming the crate (exit 2); nothing is written", async () => {
    const dir = await rustProject();
    editFile(
      path.join(dir, "Cargo.lock"),
      (t) => `${t}\n[[package]]\nname = "forked"\nversion = "0.2.0"\nsource = "git+https://example.invalid/forked.git#0123abcd"\n`,
    );
    const line = readFileSync(path.join(dir, "Cargo.lock"), "utf8").split("\n").lastIndexOf("[[package]]") + 1;
    const refused = await run(["build"], dir);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(`Cargo.lock:${line}:1: forked 0.2.0 comes from git (git+https://example.invalid/forked.git)`);
    expect(existsSync(path.join(dir, "flake.nix"))).toBe(false);
  });
});
