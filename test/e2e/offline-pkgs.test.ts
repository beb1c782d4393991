// The offline package set against the parts of nixpkgs' behaviour it claims to implement,
// built by real Nix in the sandbox.
import { execa } from "execa";
import { existsSync, readFileSync, readlinkSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { nix, nixkit, tempDir, writeTree, versioned } from "../helpers.js";
import { offlinePkgs } from "./project.js";

const sandbox = ["--option", "sandbox", "true"];

/** Builds `expr` (with `pkgs` in scope) from a scratch flake; returns its output path. */
async function buildWith(expr: string): Promise<string> {
  const dir = tempDir();
  writeTree(dir, {
    "flake.nix": `{
      inputs.nixpkgs.url = ${JSON.stringify(offlinePkgs())};
      outputs = { self, nixpkgs }: let pkgs = nixpkgs.legacyPackages.x86_64-linux; in {
        packages.x86_64-linux.default = ${expr};
      };
    }`,
  });
  const built = await nix(["build", "--json", "--no-link", ...sandbox], dir);
  expect(built.exitCode, built.stderr).toBe(0);
  return (JSON.parse(built.stdout) as { outputs: { out: string } }[])[0]!.outputs.out;
}

describe("nixkit offline-pkgs", () => {
  test("is idempotent and prints a path: flake ref", async () => {
    const first = await nixkit(["offline-pkgs"]);
    const second = await nixkit(["offline-pkgs"]);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toMatch(/^path:\/.*\/nixkit\/offline-pkgs\/[0-9a-f]{16}$/);
    expect(second.stdout).toBe(first.stdout);
  });

  test("prepares atomically into an empty cache, even when two run at once", async () => {
    const cache = tempDir();
    const [a, b] = await Promise.all([1, 2].map(() => nixkit(["offline-pkgs"], { env: { XDG_CACHE_HOME: cache } })));
    expect(a!.exitCode).toBe(0);
    expect(b!.stdout).toBe(a!.stdout);
    const root = path.join(cache, "nixkit/offline-pkgs");
    expect(readdirSync(root)).toEqual([path.basename(a!.stdout)]);
    expect(statSync(path.join(root, path.basename(a!.stdout), "bootstrap/bin/busybox")).mode & 0o777).toBe(0o755);
  });

  test("refuses a dynamically linked busybox with exit 3", async () => {
    const result = await nixkit(["offline-pkgs"], { env: { NIXKIT_BUSYBOX: "/usr/bin/env", XDG_CACHE_HOME: tempDir() } });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain("/usr/bin/env is dynamically linked");
  });
});

describe("packages by nixpkgs name", () => {
  test("the GNU tool names, hello and cacert", async () => {
    const out = await buildWith(
      `pkgs.buildEnv { name = "tools"; paths = with pkgs; [ bash coreutils findutils diffutils gnugrep gnused gawk gnutar gzip which hello cacert ]; ignoreCollisions = true; }`,
    );
    for (const tool of ["bash", "sh", "ls", "find", "xargs", "diff", "cmp", "grep", "sed", "awk", "tar", "gzip", "which", "hello"]) {
      expect(existsSync(path.join(out, "bin", tool)), tool).toBe(true);
    }
    expect((await execa(path.join(out, "bin/hello"))).stdout).toBe("Hello, world!");
    expect((await execa(path.join(out, "bin/hello"), ["--greeting", "hi"])).stdout).toBe("hi");
    expect((await execa(path.join(out, "bin/awk"), ["BEGIN { print 6 * 7 }"])).stdout).toBe("42");
    expect(readFileSync(path.join(out, "etc/ssl/certs/ca-bundle.crt"), "utf8")).toContain("-----BEGIN CERTIFICATE-----");
  });

  test("gcc (stdenv.cc) compiles C and C++ in the sandbox against its own C library; what it links loads the store's glibc", async () => {
    const out = await buildWith(`pkgs.runCommand "c-programs" { nativeBuildInputs = [ pkgs.stdenv.cc ]; } ''
      printf '#include <math.h>\\n#include <stdio.h>\\nint main(void) { printf("%%.3f\\\\n", sqrt(2.0)); return 0; }\\n' > root.c
      printf '#include <iostream>\\n#include <vector>\\nint main() { std::vector<int> v{1, 2, 3}; std::cout << v.size() << std::endl; }\\n' > size.cc
      mkdir -p $out/bin
      cc -O2 root.c -lm -o $out/bin/root
      c++ size.cc -o $out/bin/size
      $out/bin/root > $out/ran
    ''`);
    expect(readFileSync(path.join(out, "ran"), "utf8")).toBe("1.414\n");
    expect((await execa(path.join(out, "bin/size"))).stdout).toBe("3");
    const interpreter = await execa("readelf", ["-l", path.join(out, "bin/root")]);
    expect(interpreter.stdout).toMatch(/program interpreter: \/nix\/store\/[^\]]*-glibc-[^\]]*\/lib\/ld-linux-x86-64\.so\.2\]/);
  });
});

describe("builders", () => {
  test("stdenv.mkDerivation runs phases in nixpkgs' order with pre/post hooks and patchShebangs", async () => {
    const out = await buildWith(`pkgs.stdenv.mkDerivation {
      name = "phases";
      src = builtins.toFile "src.sh" "x";
      unpackPhase = "echo unpack >> $TMPDIR/log";
      preConfigure = "echo preConfigure >> $TMPDIR/log";
      configurePhase = "runHook preConfigure; echo configure >> $TMPDIR/log; runHook postConfigure";
      buildPhase = "echo build >> $TMPDIR/log";
      doCheck = true;
      checkPhase = "echo check >> $TMPDIR/log";
      installPhase = ''
        mkdir -p $out/bin
        echo install >> $TMPDIR/log
        printf '#!/usr/bin/env bash\\necho patched\\n' > $out/bin/tool
        chmod +x $out/bin/tool
      '';
      postFixup = "echo postFixup >> $TMPDIR/log; cp $TMPDIR/log $out/log; echo \\"$MY_ENV\\" > $out/env";
      env.MY_ENV = "from env";
    }`);
    expect(readFileSync(path.join(out, "log"), "utf8")).toBe("unpack\npreConfigure\nconfigure\nbuild\ncheck\ninstall\npostFixup\n");
    expect(readFileSync(path.join(out, "env"), "utf8")).toBe("from env\n");
    expect(readFileSync(path.join(out, "bin/tool"), "utf8")).toMatch(/^#!\/nix\/store\/[0-9a-z]{32}-bash-static\/bin\/bash\n/);
    expect((await execa(path.join(out, "bin/tool"))).stdout).toBe("patched");
  });

  test("passthru and meta are attributes of the result, not of the derivation", async () => {
    const dir = tempDir();
    writeTree(dir, {
      "flake.nix": `{ inputs.nixpkgs.url = ${JSON.stringify(offlinePkgs())}; outputs = { self, nixpkgs }: { x = let d = nixpkgs.legacyPackages.x86_64-linux.stdenv.mkDerivation { name = "p"; passthru.extra = 42; meta.description = "m"; }; in { inherit (d) extra; desc = d.meta.description; hasEnv = d.drvAttrs ? extra; }; }; }`,
    });
    const evaluated = await nix(["eval", "--json", ".#x"], dir);
    expect(JSON.parse(evaluated.stdout)).toEqual({ extra: 42, desc: "m", hasEnv: false });
  });

  test("buildEnv merges trees, linking unshared directories whole", async () => {
    const out = await buildWith(
      `pkgs.buildEnv { name = "env"; paths = [ pkgs.hello (pkgs.writeTextFile { name = "doc"; text = "d"; destination = "/share/doc/x"; }) (pkgs.writeShellScriptBin "tool" "echo tool") ]; }`,
    );
    expect(readdirSync(path.join(out, "bin")).sort()).toEqual(["hello", "tool"]);
    expect(readlinkSync(path.join(out, "share"))).toMatch(/-doc\/share$/);
    expect((await execa(path.join(out, "bin/tool"))).stdout).toBe("tool");
  });

  test("buildEnv refuses collisions unless ignoreCollisions", async () => {
    const dir = tempDir();
    writeTree(dir, {
      "flake.nix": `{ inputs.nixpkgs.url = ${JSON.stringify(offlinePkgs())}; outputs = { self, nixpkgs }: let pkgs = nixpkgs.legacyPackages.x86_64-linux; in { packages.x86_64-linux.default = pkgs.buildEnv { name = "c"; paths = [ (pkgs.writeShellScriptBin "t" "echo a") (pkgs.writeShellScriptBin "t" "echo b") ]; }; }; }`,
    });
    const built = await nix(["build", "--no-link", ...sandbox], dir);
    expect(built.exitCode).not.toBe(0);
    expect(built.stderr).toContain("buildEnv: collision");
  });

  test("buildEnv refuses an input that is a single file, with nixpkgs' words", async () => {
    const dir = tempDir();
    writeTree(dir, {
      "flake.nix": `{ inputs.nixpkgs.url = ${JSON.stringify(offlinePkgs())}; outputs = { self, nixpkgs }: let pkgs = nixpkgs.legacyPackages.x86_64-linux; in { packages.x86_64-linux.default = pkgs.buildEnv { name = "f"; paths = [ (pkgs.writeText "data.json" "{}") ]; }; }; }`,
    });
    const built = await nix(["build", "--no-link", ...sandbox], dir);
    expect(built.exitCode).not.toBe(0);
    expect(built.stderr).toMatch(
      /The store path \/nix\/store\/\w{32}-data\.json is a file and can't be merged into an environment using pkgs\.buildEnv!/,
    );
  });

  test("buildEnv installs meta.outputsToInstall (bin before out) plus extraOutputsToInstall", async () => {
    const twoOutputs = `pkgs.stdenv.mkDerivation { name = "two"; outputs = [ "out" "bin" ]; dontUnpack = true; installPhase = "mkdir -p $out/lib $bin/bin; echo l > $out/lib/l; printf '#!/bin/sh\\n' > $bin/bin/t; chmod +x $bin/bin/t"; }`;
    const plain = await buildWith(`pkgs.buildEnv { name = "e"; paths = [ (${twoOutputs}) ]; }`);
    expect(readdirSync(plain).sort()).toEqual(["bin"]);
    const extra = await buildWith(`pkgs.buildEnv { name = "e"; paths = [ (${twoOutputs}) ]; extraOutputsToInstall = [ "out" ]; }`);
    expect(readdirSync(extra).sort()).toEqual(["bin", "lib"]);
  });

  test("stdenv sources an input that is a file, as nixpkgs' setup.sh does", async () => {
    const out = await buildWith(
      `pkgs.stdenv.mkDerivation { name = "sourced"; dontUnpack = true; nativeBuildInputs = [ (pkgs.writeText "hook.sh" "SOURCED_BY_STDENV=yes") ]; installPhase = "echo $SOURCED_BY_STDENV > $out"; }`,
    );
    expect(readFileSync(out, "utf8")).toBe("yes\n");
  });

  test("a builder's PATH is nixpkgs' common path: no other busybox applet unless asked", async () => {
    const out = await buildWith(
      `pkgs.runCommand "path" { } "for t in sed grep awk tar gzip bzip2 xz patch find diff which wget unzip bc; do if command -v $t > /dev/null; then echo $t; fi; done > $out"`,
    );
    expect(readFileSync(out, "utf8").trim().split("\n")).toEqual([
      "sed",
      "grep",
      "awk",
      "tar",
      "gzip",
      "bzip2",
      "xz",
      "patch",
      "find",
      "diff",
    ]);
  });

  test("unpack keeps the store's timestamps, as nixpkgs' cp -pr does", async () => {
    const dir = tempDir();
    writeTree(dir, {
      "src/a.txt": "a",
      "flake.nix": `{ inputs.nixpkgs.url = ${JSON.stringify(offlinePkgs())}; outputs = { self, nixpkgs }: let pkgs = nixpkgs.legacyPackages.x86_64-linux; in { packages.x86_64-linux.default = pkgs.stdenv.mkDerivation { name = "t"; src = ./src; installPhase = "stat -c %Y a.txt > $out"; }; }; }`,
    });
    const built = await nix(["build", "--json", "--no-link", ...sandbox], dir);
    expect(built.exitCode, built.stderr).toBe(0);
    expect(readFileSync((JSON.parse(built.stdout) as { outputs: { out: string } }[])[0]!.outputs.out, "utf8")).toBe("1\n");
  });

  test("fixup fails on a dangling or reflexive symlink (nixpkgs 25.05+) unless dontCheckForBrokenSymlinks", async () => {
    const dir = tempDir();
    const drv = (extra: string) =>
      `pkgs.stdenv.mkDerivation { name = "links"; dontUnpack = true; installPhase = "mkdir -p $out; ln -s /nowhere $out/dangling; ln -s self $out/self"; ${extra} }`;
    writeTree(dir, {
      "flake.nix": `{ inputs.nixpkgs.url = ${JSON.stringify(offlinePkgs())}; outputs = { self, nixpkgs }: let pkgs = nixpkgs.legacyPackages.x86_64-linux; in { packages.x86_64-linux = { checked = ${drv("")}; unchecked = ${drv("dontCheckForBrokenSymlinks = true;")}; }; }; }`,
    });
    const checked = await nix(["build", "--no-link", ".#checked", ...sandbox], dir);
    expect(checked.exitCode).not.toBe(0);
    expect(checked.stderr).toContain("found 1 dangling symlinks and 1 reflexive symlinks");
    const unchecked = await nix(["build", "--no-link", ".#unchecked", ...sandbox], dir);
    expect(unchecked.exitCode, unchecked.stderr).toBe(0);
  });

  test(
    versioned(
      "runCommand may be substituted; runCommandLocal, writers and buildEnv build locally",
      "allowSubstitutes and preferLocalBuild as Nix takes them",
    ),
    async () => {
      const dir = tempDir();
      writeTree(dir, {
        "flake.nix": `{ inputs.nixpkgs.url = ${JSON.stringify(offlinePkgs())}; outputs = { self, nixpkgs }: let pkgs = nixpkgs.legacyPackages.x86_64-linux; local = d: d.drvAttrs.allowSubstitutes or true == false; in { lib = { runCommand = local (pkgs.runCommand "a" { } "touch $out"); runCommandLocal = local (pkgs.runCommandLocal "b" { } "touch $out"); writeText = local (pkgs.writeText "c" "c"); buildEnv = local (pkgs.buildEnv { name = "d"; paths = [ ]; }); }; }; }`,
      });
      const evaluated = await nix(["eval", "--json", ".#lib"], dir);
      expect(evaluated.exitCode, evaluated.stderr).toBe(0);
      expect(JSON.parse(evaluated.stdout)).toEqual({ runCommand: false, runCommandLocal: true, writeText: true, buildEnv: true });
    },
  );

  test("runCommand, writeText and writeShellScriptBin", async () => {
    const out =
      await buildWith(`pkgs.runCommand "rc" { greeting = pkgs.writeText "g" "hi \${"''"} there"; tool = pkgs.writeShellScriptBin "t" "echo \\"$@\\""; } ''
      mkdir $out
      cp $greeting $out/greeting
      $tool/bin/t a b > $out/tool
    ''`);
    expect(readFileSync(path.join(out, "greeting"), "utf8")).toBe("hi '' there");
    expect(readFileSync(path.join(out, "tool"), "utf8")).toBe("a b\n");
  });

  test(versioned("mkShell gives nix print-dev-env packages, env and shellHook, like nixpkgs", "print-dev-env's JSON"), async () => {
    const dir = tempDir();
    writeTree(dir, {
      "flake.nix": `{ inputs.nixpkgs.url = ${JSON.stringify(offlinePkgs())}; outputs = { self, nixpkgs }: let pkgs = nixpkgs.legacyPackages.x86_64-linux; in { devShells.x86_64-linux.default = pkgs.mkShell { packages = [ pkgs.hello ]; env.FOO = "bar"; shellHook = "echo hooked"; inputsFrom = [ (pkgs.mkShell { packages = [ pkgs.gnugrep ]; shellHook = "echo inner"; }) ]; }; }; }`,
    });
    const env = await nix(["print-dev-env", "--json", ...sandbox], dir);
    expect(env.exitCode, env.stderr).toBe(0);
    const vars = (JSON.parse(env.stdout) as { variables: Record<string, { value: string }> }).variables;
    expect(vars.FOO!.value).toBe("bar");
    expect(vars.shellHook!.value).toBe("echo inner\necho hooked");
    expect(vars.PATH!.value).toMatch(/-hello-2\.12\.1\/bin:.*-gnugrep-busybox\/bin/);
  });
});

// Node.js and Python come from the host (src/offline/host-trees.ts) and must run from the store
// in the sandbox, where there is no /usr or /lib: only the store's glibc and their own lib/.
describe("language toolchains from the host", () => {
  test("nodejs (with npm) runs in the sandbox, under nixpkgs' names", async () => {
    const out = await buildWith(`pkgs.runCommand "node-check" { nativeBuildInputs = [ pkgs.nodejs ]; } ''
      mkdir $out
      node -e 'console.log(process.version)' > $out/version
      npm --version > $out/npm
      node -e 'require("node:crypto").createHash("sha256"); require("node:https"); console.log(process.execPath)' > $out/exec
      echo \${pkgs.nodejs.version} \${pkgs."nodejs_\${builtins.head (builtins.split "\\\\." pkgs.nodejs.version)}".version} > $out/attrs
    ''`);
    expect(readFileSync(path.join(out, "version"), "utf8").trim()).toBe(process.version);
    expect(readFileSync(path.join(out, "npm"), "utf8").trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(readFileSync(path.join(out, "exec"), "utf8")).toMatch(/^\/nix\/store\/[a-z0-9]{32}-nodejs-/);
    const version = process.versions.node;
    expect(readFileSync(path.join(out, "attrs"), "utf8").trim()).toBe(`${version} ${version}`);
  });

  test("the store's node loads nothing from the host: interpreter and search path are in the store", async () => {
    const out = await buildWith("pkgs.nodejs");
    const refs = await execa("nix-store", ["--query", "--references", out]);
    expect(refs.stdout).toMatch(/-glibc-[\d.]+-host$/m);
    const node = path.join(out, "bin/node");
    const interpreter = await execa("patchelf", ["--print-interpreter", node]);
    expect(interpreter.stdout).toMatch(/^\/nix\/store\/[a-z0-9]{32}-glibc-[^/]*\/lib\/ld-linux/);
    const searchPath = (await execa("patchelf", ["--print-rpath", node])).stdout.split(":");
    expect(
      searchPath.every((dir) => dir.startsWith("/nix/store/")),
      searchPath.join(":"),
    ).toBe(true);
  });

  test("python3.withPackages gives numpy and pytest (JUnit) in the sandbox, as nixpkgs' does", async () => {
    const out = await buildWith(`let env = pkgs.python3.withPackages (ps: [ ps.numpy ps.pytest ]); in
      pkgs.runCommand "python-check" { nativeBuildInputs = [ env ]; } ''
        mkdir $out
        python3 -c 'import numpy, ssl, sqlite3, sys; print(numpy.linalg.det(numpy.eye(3)), sys.prefix)' > $out/numpy
        printf 'def test_sum():\\n    assert sum([1, 2]) == 3\\n' > test_sum.py
        pytest -q --junitxml=$out/junit.xml test_sum.py
        echo \${pkgs.python3.sitePackages} \${pkgs.python3.pythonVersion} \${pkgs.python3.pkgs.numpy.pname} > $out/attrs
        python3 -c 'import numpy' 2>/dev/null && echo env >> $out/alone
        \${pkgs.python3}/bin/python3 -c 'import numpy' 2>/dev/null || echo bare >> $out/alone
      ''`);
    expect(readFileSync(path.join(out, "numpy"), "utf8")).toMatch(/^1\.0 \/nix\/store\/[a-z0-9]{32}-python3\.\d+-[\d.]+-env\n$/);
    expect(readFileSync(path.join(out, "junit.xml"), "utf8")).toContain('tests="1"');
    expect(readFileSync(path.join(out, "attrs"), "utf8").trim()).toMatch(/^lib\/python3\.\d+\/site-packages 3\.\d+ python3\.\d+-numpy$/);
    // The environment sees its packages; the bare interpreter does not.
    expect(readFileSync(path.join(out, "alone"), "utf8")).toBe("env\nbare\n");
  });

  test("a python package's own program works without an environment", async () => {
    const out = await buildWith(`pkgs.runCommand "pytest-alone" { nativeBuildInputs = [ pkgs.python3Packages.pytest ]; } ''
      pytest --version > $out 2>&1
    ''`);
    expect(readFileSync(out, "utf8")).toMatch(/pytest \d+\.\d+/);
  });
});
