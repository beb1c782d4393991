// Go modules, for real: a module with dependencies from its go.sum (uuid, and go-cmp for its
// tests), each module's zip and go.mod fetched by Nix from the GOPROXY Go is configured with and
// checked against go.sum; a binary built and tests run offline in the sandbox, `go test -json`
// as JUnit; the shell's toolchain; the binary's image run in runc; a bump that fetches one module;
// a tampered go.sum refused.
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import { nix, nixkit, repoRoot, tempDir } from "../helpers.js";
import { editFile, offlinePkgs } from "./project.js";
import { runImage } from "./run-image.js";

const manifest = () => `version: 1
name: greeter
systems: [x86_64-linux]
inputs:
  nixpkgs: ${JSON.stringify(offlinePkgs())}
shell:
  go: {}
builds:
  greet:
    go: {}
    script: go build -trimpath -o $out/bin/greet ./cmd/greet
tests:
  unit:
    go: {}
    script: go test -json ./... > $NIXKIT_REPORTS/go-test.json
images:
  greet:
    contents: [greet]
    entrypoint: [/bin/greet]
`;

function goProject(): string {
  const dir = tempDir();
  cpSync(path.join(repoRoot, "test/fixtures/go-greeter"), dir, { recursive: true });
  writeFileSync(path.join(dir, "nixkit.yaml"), manifest());
  // A source of its own: its builds are new to the store (a build an earlier run left needs no module cache).
  writeFileSync(path.join(dir, "run-id"), `${process.pid}-${Date.now()}-${Math.random()}\n`);
  return dir;
}

/** The module files a `nixkit -v` run downloaded (.zip and .mod; while generating, or ahead of the build), by their proxy path. */
const fetchedModules = (log: string): string[] =>
  [
    ...new Set(
      [...log.matchAll(/^download(?:ing|ed) \S+?\/([^/\s]+\/@v\/[^/\s]+\.(?:zip|mod))(?: \(while generating\))?$/gm)].map((m) => m[1]!),
    ),
  ].sort();

describe("Go modules", () => {
  test("a binary built and tests run offline from go.sum; go test -json becomes JUnit with every test and subtest; the shell has the toolchain", async () => {
    const dir = goProject();
    const built = await nixkit(["build"], { cwd: dir });
    expect(built.exitCode, built.stderr).toBe(0);
    const ran = await execa(path.join(dir, "result-greet/bin/greet"), ["nix"]);
    expect(ran.stdout).toMatch(/^hello, nix \([0-9a-f-]{36}\)$/);

    // The test is another derivation on the same module cache: nothing fetched or made again.
    const tested = await nixkit(["test", "-v", "--junit", "junit.xml"], { cwd: dir });
    expect(tested.exitCode, tested.stderr).toBe(0);
    expect(fetchedModules(tested.stderr)).toEqual([]);
    expect(tested.stderr).not.toMatch(/^building go-modules$/m);
    const junit = readFileSync(path.join(dir, "junit.xml"), "utf8");
    expect(junit).toMatch(/<testsuite [^>]*name="example.com\/greeter"[^>]*tests="4" failures="0"/);
    for (const name of ["TestGreeting", "TestStable", "TestStable/a", "TestStable/b"]) expect(junit).toContain(`name="${name}"`);

    const shell = await nixkit(["run", "--", "go", "version"], { cwd: dir });
    expect(shell.exitCode, shell.stderr).toBe(0);
    expect(shell.stdout).toMatch(/^go version go\d/);

    // The binary is static (cgo off): an image of it alone runs.
    const image = await nixkit(["--json", "image", "build", "greet"], { cwd: dir });
    expect(image.exitCode, image.stderr).toBe(0);
    const run = await runImage((JSON.parse(image.stdout) as { output: string }).output.replace(/^oci:/, ""), ["runc"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^hello, runc \([0-9a-f-]{36}\)/);
  });

  test("a bump fetches that module only, the unchanged ones not again; a failing test fails with its output in the JUnit failure", async () => {
    const dir = goProject();
    // An earlier run may have fetched uuid v1.5.0 and made its module cache: delete them (with
    // what refers to the cache), so that this bump fetches for real.
    const earlier = readdirSync("/nix/store").filter(
      (n) =>
        /-github\.com-google-uuid-v1\.5\.0\.(zip|mod)$/.test(n) ||
        (/-go-modules$/.test(n) && existsSync(path.join("/nix/store", n, "github.com/google/uuid@v1.5.0"))),
    );
    for (const name of earlier) {
      const referrers = await execa("nix-store", ["--query", "--referrers-closure", `/nix/store/${name}`], { reject: false });
      for (const referrer of referrers.stdout.split("\n").filter(Boolean).reverse()) await nix(["store", "delete", referrer], dir);
    }
    // What `go get github.com/google/uuid@v1.5.0` writes (the test's own go, from the same proxy),
    // and a test that fails; one run (each Go build compiles the standard library it uses).
    const got = await execa("go", ["get", "github.com/google/uuid@v1.5.0"], {
      cwd: dir,
      env: { GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod" },
      reject: false,
    });
    expect(got.exitCode, got.stderr).toBe(0);
    editFile(path.join(dir, "greet_test.go"), (t) => t + '\nfunc TestBroken(t *testing.T) { t.Fatal("broken on purpose") }\n');
    const bumped = await nixkit(["test", "-v", "--junit", "junit.xml"], { cwd: dir });
    expect(bumped.exitCode, bumped.stderr).toBe(1);
    expect(fetchedModules(bumped.stderr)).toEqual(["uuid/@v/v1.5.0.mod", "uuid/@v/v1.5.0.zip"]);
    expect(bumped.stderr).toMatch(/^building go-modules$/m);
    expect(readFileSync(path.join(dir, "junit.xml"), "utf8")).toMatch(
      /<testcase [^>]*name="TestBroken"[^>]*>\s*<failure[^>]*>[^<]*broken on purpose/,
    );
  });

  test("a go.sum whose hash does not match what the proxy serves is refused, naming the module (exit 2)", async () => {
    const dir = goProject();
    editFile(path.join(dir, "go.sum"), (t) =>
      t.replace(/^(github\.com\/google\/uuid v1\.6\.0 )h1:\S+$/m, "$1h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
    );
    const refused = await nixkit(["build"], { cwd: dir });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain("go.sum: github.com/google/uuid v1.6.0's zip from");
    expect(refused.stderr).toContain("does not match go.sum's h1:AAAA");
  });
});
