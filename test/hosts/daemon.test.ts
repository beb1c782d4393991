// Multi-user Nix for real: a nix-daemon on a store of its own (scripts/daemon-nix.sh) and nixkit
// run through it as the unprivileged user `nobody`, trusted by the daemon and not. The daemon and
// the client are the `nix` on PATH (Debian 12's 2.8 in `npm test`'s first pass, 2.26.3 in its
// second). nixkit runs from a copy that `nobody` can read.
import { execa } from "execa";
import { chownSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { repoRoot, versioned } from "../helpers.js";

const NOBODY = 65534;
let dir: string;
let cli: string;

function asNobody(trust: "trusted" | "untrusted", args: string[]) {
  return execa("bash", [path.join(repoRoot, "scripts/daemon-nix.sh"), dir, trust, "node", cli, ...args], {
    reject: false,
    stdin: "ignore",
  });
}

function ownedByNobody(target: string): void {
  chownSync(target, NOBODY, NOBODY);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "nixkit-daemon-"));
  const copy = path.join(dir, "nixkit");
  for (const part of ["bin", "dist", "nix", "package.json"]) cpSync(path.join(repoRoot, part), path.join(copy, part), { recursive: true });
  cli = path.join(copy, "bin/nixkit.cjs");
  // A binary cache the project names (file://, so nothing leaves the machine).
  mkdirSync(path.join(dir, "cache"));
  writeFileSync(path.join(dir, "cache/nix-cache-info"), "StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 30\n");
  ownedByNobody(path.join(dir, "cache"));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

let publicKey = "test-cache-1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

/** nixkit.yaml for `project`, on the offline set as `nobody` prepares it, the project owned by `nobody`. */
async function writeManifest(trust: "trusted" | "untrusted", project: string, fields: Record<string, unknown>): Promise<void> {
  const offline = await asNobody(trust, ["offline-pkgs"]);
  expect(offline.exitCode, offline.stderr).toBe(0);
  const manifest = { version: 1, systems: ["x86_64-linux"], inputs: { nixpkgs: offline.stdout.trim() }, ...fields };
  writeFileSync(path.join(project, "nixkit.yaml"), stringify(manifest));
  await execa("chown", ["-R", `${NOBODY}:${NOBODY}`, project]);
}

async function projectFor(trust: "trusted" | "untrusted"): Promise<string> {
  const project = path.join(dir, `project-${trust}`);
  mkdirSync(project, { recursive: true });
  await writeManifest(trust, project, {
    name: "multi-user",
    cache: { url: `file://${dir}/cache`, publicKeys: [publicKey] },
    shell: { packages: ["hello"], env: { GREETING: "hi" } },
    builds: { app: { script: "mkdir -p $out/bin; printf '#!/bin/sh\\necho app\\n' > $out/bin/app; chmod +x $out/bin/app" } },
    tests: { unit: { needs: ["app"], script: 'test "$(app)" = app' } },
    images: { web: { contents: ["app"], entrypoint: ["/bin/app"] } },
  });
  return project;
}

const trustWarning = (cache: string) => `the nix-daemon does not trust this user, so it ignores the project's cache ${cache}`;

describe(versioned("through a nix-daemon, as an unprivileged user", "the daemon protocol and its trust (store info, 2.19)"), () => {
  test("not trusted: build, test, shell (cold and warm), image, gc and cache push work; the unused cache is said once, with the fix, and pull refuses with it", async () => {
    // The project's signing key, made by the user (the manifest names its public half).
    let project = await projectFor("untrusted");
    const keygen = await asNobody("untrusted", ["-C", project, "cache", "keygen"]);
    expect(keygen.exitCode, keygen.stderr).toBe(0);
    publicKey = keygen.stdout.trim().split("\n").pop()!.trim();
    expect(publicKey).toMatch(/^multi-user:[A-Za-z0-9+/=]{44}$/);
    project = await projectFor("untrusted");
    const cache = `file://${dir}/cache`;
    const built = await asNobody("untrusted", ["-C", project, "build"]);
    expect(built.exitCode, built.stderr).toBe(0);
    expect(built.stderr.split(trustWarning(cache)).length - 1).toBe(1);
    expect(built.stderr).toContain(`\`trusted-substituters = ${cache}\``);
    expect(built.stderr).not.toContain("ignoring untrusted substituter");

    const tested = await asNobody("untrusted", ["-C", project, "test"]);
    expect(tested.exitCode, tested.stderr).toBe(0);
    for (const round of ["cold", "warm"]) {
      const ran = await asNobody("untrusted", ["-C", project, "run", "--", "sh", "-c", 'echo "$GREETING $(hello)"']);
      expect(ran.exitCode, `${round}: ${ran.stderr}`).toBe(0);
      expect(ran.stdout).toBe("hi Hello, world!");
    }
    const image = await asNobody("untrusted", ["-C", project, "--json", "image", "build", "web", "--out", `oci:${project}/web-oci`]);
    expect(image.exitCode, image.stderr).toBe(0);
    expect(JSON.parse(image.stdout).digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const gc = await asNobody("untrusted", ["-C", project, "gc", "--dry-run"]);
    expect(gc.exitCode, gc.stderr).toBe(0);
    const pushed = await asNobody("untrusted", ["-C", project, "cache", "push"]);
    expect(pushed.exitCode, pushed.stderr).toBe(0);
    expect(pushed.stderr + pushed.stdout).toContain(`to ${cache}, signed`);
    const pulled = await asNobody("untrusted", ["-C", project, "cache", "pull"]);
    expect(pulled.exitCode).toBe(1);
    expect(pulled.stderr.split(trustWarning(cache)).length - 1).toBe(1);

    // The user's own nix.conf turns the sandbox off; the daemon's (the system's) decides.
    const userConf = path.join(dir, "home/.config/nix/nix.conf");
    mkdirSync(path.dirname(userConf), { recursive: true });
    writeFileSync(userConf, "sandbox = false\n");
    const doctor = JSON.parse((await asNobody("untrusted", ["-C", project, "--json", "doctor"])).stdout) as {
      checks: { name: string; status: string; detail: string; fix?: string }[];
    };
    rmSync(userConf);
    expect(doctor.checks.find((c) => c.name === "sandbox")).toMatchObject({
      status: "PASS",
      detail: "sandbox = true in the nix-daemon's nix.conf",
    });
    expect(doctor.checks.find((c) => c.name === "substituters")!.detail).toBe("the nix-daemon's: none; trusted-substituters: none");
    const trust = doctor.checks.find((c) => c.name === "trust");
    // Nix 2.19+ says whether the store trusts the user; 2.8 cannot.
    if (trust) {
      expect(trust.status).toBe("WARN");
      expect(trust.detail).toMatch(/^nix-daemon \(Nix 2\.\d+\.\d+\) does not trust this user/);
      expect(trust.fix).toContain(`trusted-substituters = ${cache}`);
    }
  }, 240_000);

  test("trusted: the same build and a pull from the cache work without a word about trust", async () => {
    const project = await projectFor("trusted");
    const built = await asNobody("trusted", ["-C", project, "build"]);
    expect(built.exitCode, built.stderr).toBe(0);
    expect(built.stderr).not.toContain("does not trust this user");
    expect(built.stderr).not.toContain("ignoring untrusted substituter");
    const pulled = await asNobody("trusted", ["-C", project, "cache", "pull", "builds", "tests"]);
    expect(pulled.exitCode, pulled.stderr).toBe(0);
    expect(pulled.stderr).not.toContain("trust");
    const doctor = JSON.parse((await asNobody("trusted", ["-C", project, "--json", "doctor"])).stdout) as {
      checks: { name: string; status: string }[];
    };
    const trust = doctor.checks.find((c) => c.name === "trust");
    if (trust) expect(trust.status).toBe("PASS");
  }, 120_000);
  test("not trusted: a Node project's lockfile packages are fetched, installed in the daemon's sandbox and tested", async () => {
    const project = path.join(dir, "node-project");
    cpSync(path.join(repoRoot, "test/fixtures/node-deps"), project, { recursive: true });
    mkdirSync(path.join(project, "test"));
    writeFileSync(
      path.join(project, "test/ms.test.js"),
      'import { test } from "node:test";\nimport assert from "node:assert";\nimport ms from "ms";\ntest("ms", () => assert.strictEqual(ms(1000), "1s"));\n',
    );
    await writeManifest("untrusted", project, {
      name: "node-daemon",
      tests: {
        unit: { node: {}, script: 'node --test --test-reporter=junit --test-reporter-destination="$NIXKIT_REPORTS/junit.xml" test/' },
      },
    });
    const tested = await asNobody("untrusted", ["-C", project, "-v", "test"]);
    expect(tested.exitCode, tested.stderr).toBe(0);
    expect(tested.stdout).toMatch(/^unit\s+PASS/m);
    // The tarballs came through nixkit's prefetch (content-addressed, which the daemon accepts
    // from an untrusted user), not one by one from Nix.
    expect(tested.stderr).toMatch(/fetching \d+ package\(s\)/);
    expect(tested.stderr).not.toMatch(/fetching npm packages ahead: |Nix fetches it during the build/);
  }, 120_000);

  test("not trusted: a pnpm workspace is installed by pnpm in the daemon's sandbox (its loopback registry) and tested", async () => {
    const project = path.join(dir, "pnpm-project");
    cpSync(path.join(repoRoot, "test/fixtures/pnpm-workspace"), project, { recursive: true });
    await writeManifest("untrusted", project, {
      name: "pnpm-daemon",
      tests: {
        lib: {
          node: { lockfile: "pnpm-lock.yaml" },
          script: 'cd packages/lib && node --test --test-reporter=junit --test-reporter-destination="$NIXKIT_REPORTS/junit.xml" test/',
        },
      },
    });
    const tested = await asNobody("untrusted", ["-C", project, "-v", "test"]);
    expect(tested.exitCode, tested.stderr).toBe(0);
    expect(tested.stdout).toMatch(/^lib\s+PASS/m);
    expect(tested.stderr).toMatch(/fetching \d+ package\(s\)/);
  }, 180_000);
});

// Not version-dependent (the daemon's sandbox builds the venv as any other derivation): the first pass only.
describe("a Python lockfile through a nix-daemon, as an unprivileged user", () => {
  test("not trusted: poetry.lock's wheels are fetched ahead, the venv is made in the daemon's sandbox, pytest passes with its JUnit", async () => {
    const project = path.join(dir, "python-project");
    // (a small lock: what is tested is the daemon, not the packages)
    cpSync(path.join(repoRoot, "test/fixtures/poetry-words"), project, { recursive: true });
    await writeManifest("untrusted", project, {
      name: "python-daemon",
      tests: {
        unit: {
          python: { lockfile: "poetry.lock" },
          script: "pytest -q -p no:cacheprovider --junitxml=$NIXKIT_REPORTS/junit.xml tests",
        },
      },
    });
    const tested = await asNobody("untrusted", ["-C", project, "-v", "test", "--junit", `${project}/junit.xml`]);
    expect(tested.exitCode, tested.stderr).toBe(0);
    expect(tested.stdout).toMatch(/^unit\s+PASS/m);
    // The wheels came through nixkit's prefetch (content-addressed, which the daemon accepts from
    // an untrusted user), not one by one from Nix.
    expect(tested.stderr).toMatch(/fetching \d+ package\(s\)/);
    expect(readFileSync(path.join(project, "junit.xml"), "utf8")).toMatch(/<testsuite [^>]*tests="2"[^>]*failures="0"/);
  }, 240_000);
});
