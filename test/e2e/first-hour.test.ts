// A new user's first steps, as they would take them: a git repository (with and without commits)
// just works, files git does not track are named, a checkout path old Nix cannot handle stops
// early with the fix, and the generic template's quick start passes in an empty directory.
import { execa } from "execa";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { nixkit, tempDir, versioned } from "../helpers.js";
import { editFile, exampleProject, offlinePkgs } from "./project.js";
import { runImage } from "./run-image.js";
import { freePort } from "./servers.js";

const git = (dir: string, ...args: string[]) => execa("git", ["-C", dir, "-c", "user.email=t@example.org", "-c", "user.name=t", ...args]);
const withOffline = () => ({ NIXKIT_NIXPKGS: offlinePkgs() });

describe("git repositories", () => {
  test.each([
    ["without commits", false],
    ["with a commit", true],
  ])("%s: init, then run works at once (the generated files are registered with git)", async (_what, commit) => {
    const dir = tempDir();
    await git(dir, "init", "-q");
    if (commit) {
      writeFileSync(path.join(dir, "README"), "hi\n");
      await git(dir, "add", "README");
      await git(dir, "commit", "-qm", "first");
    }
    expect((await nixkit(["init"], { cwd: dir })).exitCode).toBe(0);
    const run = await nixkit(["run", "--", "echo", "CMD"], { cwd: dir, env: withOffline() });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toBe("CMD");
    const status = (await git(dir, "status", "--porcelain")).stdout;
    expect(status).toMatch(/^ A flake\.nix$/m);
    expect(status).toMatch(/^ A \.nixkit\/lib\/default\.nix$/m);
    // The .gitignore nixkit wrote is registered too: no build asks to `git add` it.
    expect(status).toMatch(/^ A \.gitignore$/m);
    expect(run.stderr).not.toContain("git add");
    expect(status).not.toContain(".nixkit/cache");
  });

  test("a `lib/` line in .gitignore (GitHub's Python template) does not hide .nixkit/lib: generate un-ignores it, doctor names it", async () => {
    const dir = tempDir();
    await git(dir, "init", "-q");
    writeFileSync(path.join(dir, ".gitignore"), "__pycache__/\nlib/\n*.lock\n");
    expect((await nixkit(["init"], { cwd: dir })).exitCode).toBe(0);
    const run = await nixkit(["run", "--", "echo", "CMD"], { cwd: dir, env: withOffline() });
    expect(run.exitCode, run.stderr).toBe(0);
    const ignore = readFileSync(path.join(dir, ".gitignore"), "utf8");
    expect(ignore).toContain("!/.nixkit/lib/\n");
    expect(ignore).toContain("!/flake.lock\n");
    expect((await git(dir, "ls-files", ".nixkit/lib")).stdout).toContain(".nixkit/lib/default.nix");
    expect((await nixkit(["build"], { cwd: dir, env: withOffline() })).exitCode).toBe(0);

    // A project generated before: .nixkit/lib stayed out of git. doctor says so; any command mends it.
    const old = tempDir();
    await git(old, "init", "-q");
    expect((await nixkit(["init"], { cwd: old })).exitCode).toBe(0);
    expect((await nixkit(["generate"], { cwd: old })).exitCode).toBe(0);
    writeFileSync(path.join(old, ".gitignore"), ".nixkit/cache/\nresult*\nlib/\n");
    await git(old, "rm", "-rq", "--cached", ".nixkit/lib");
    const doctor = await nixkit(["doctor"], { cwd: old, env: withOffline() });
    expect(doctor.stdout).toMatch(/FAIL\s+git\s+\.gitignore's rules match what nixkit generates \(\.nixkit\/lib\/\)/);
    const mended = await nixkit(["run", "--", "true"], { cwd: old, env: withOffline() });
    expect(mended.exitCode, mended.stderr).toBe(0);
    expect((await git(old, "ls-files", ".nixkit/lib")).stdout).toContain(".nixkit/lib/default.nix");
  });

  test("a --junit report written into the project is not taken for a source to `git add`", async () => {
    const dir = tempDir();
    await git(dir, "init", "-q");
    expect((await nixkit(["init"], { cwd: dir })).exitCode).toBe(0);
    const tested = await nixkit(["test", "--junit", "junit.xml"], { cwd: dir, env: withOffline() });
    expect(tested.exitCode, tested.stderr).toBe(0);
    expect(existsSync(path.join(dir, "junit.xml"))).toBe(true);
    const again = await nixkit(["test"], { cwd: dir, env: withOffline() });
    expect(again.stderr).not.toContain("junit.xml");
  });

  test("a file a build's src matches but git does not track is named, by build and by doctor", async () => {
    const dir = tempDir();
    await git(dir, "init", "-q");
    expect((await nixkit(["init"], { cwd: dir })).exitCode).toBe(0);
    mkdirSync(path.join(dir, "src"));
    writeFileSync(path.join(dir, "src/main.sh"), "echo hi\n");
    const build = await nixkit(["build"], { cwd: dir, env: withOffline() });
    expect(build.stderr).toContain(
      "src/main.sh is matched by builds.app but git does not track it, so Nix leaves it out of the sandbox (git add src/main.sh)",
    );
    const doctor = await nixkit(["doctor"], { cwd: dir, env: withOffline() });
    expect(doctor.stdout).toMatch(/WARN\s+git\s+builds or tests match files git does not track, which Nix leaves out: src\/main\.sh/);
    await git(dir, "add", "src/main.sh");
    const again = await nixkit(["build"], { cwd: dir, env: withOffline() });
    expect(again.stderr).not.toContain("git does not track");
  });

  test(
    versioned(
      "a checkout path with a space stops early on a Nix that cannot use it, with the cause and the fix",
      "the git-path gate: refused before 2.14, accepted after",
    ),
    async () => {
      const dir = path.join(tempDir(), "my project");
      mkdirSync(dir);
      await git(dir, "init", "-q");
      expect((await nixkit(["init"], { cwd: dir })).exitCode).toBe(0);
      const version = (await execa("nix", ["--version"])).stdout;
      const [, major, minor] = version.match(/(\d+)\.(\d+)/)!.map(Number);
      const result = await nixkit(["build"], { cwd: dir, env: withOffline() });
      if (major! === 2 && minor! < 14) {
        expect(result.exitCode).toBe(3);
        expect(result.stderr).toContain(`cannot use a flake in a git checkout whose path has a space`);
        expect(result.stderr).toContain("Move or rename the checkout");
      } else {
        expect(result.exitCode, result.stderr).toBe(0);
      }
    },
  );
});

test("the generic template's quick start passes as written, in an empty directory; generate alone keeps .gitignore right", async () => {
  const dir = tempDir();
  for (const args of [["init"], ["generate"], ["build"], ["test"]]) {
    const result = await nixkit(args, { cwd: dir, env: withOffline() });
    expect(result.exitCode, `nixkit ${args.join(" ")}: ${result.stderr}`).toBe(0);
  }
  const other = tempDir();
  writeFileSync(path.join(other, "nixkit.yaml"), readFileSync(path.join(dir, "nixkit.yaml")));
  expect((await nixkit(["generate"], { cwd: other })).exitCode).toBe(0);
  expect(readFileSync(path.join(other, ".gitignore"), "utf8")).toBe(".nixkit/cache/\nresult*\n");
});

test.each([
  ["node", ["--request", "/"], '200 {"status":"ok"}', /<testcase [^>]*name="GET \/ is ok"/],
  ["python", ["Ada"], "Hello, Ada!", /<testcase [^>]*name="test_greet"/],
])(
  "the %s template's quick start, from an empty directory: its tests pass with JUnit, it builds, its image runs",
  async (template, args, output, testcase) => {
    const dir = tempDir(`nixkit-${template}-template-`);
    const init = await nixkit(["init", "--template", template], { cwd: dir });
    expect(init.exitCode, init.stderr).toBe(0);
    for (const step of [["test"], ["build"]]) {
      const result = await nixkit(step, { cwd: dir, env: withOffline() });
      expect(result.exitCode, `nixkit ${step.join(" ")}: ${result.stderr}`).toBe(0);
      if (step[0] === "test") {
        const reports = /^unit\s+PASS.*?(\/nix\/store\/[^/\s]+)\/reports/m.exec(result.stdout)![1]!;
        expect(readFileSync(path.join(reports, "reports/junit.xml"), "utf8")).toMatch(testcase);
      }
    }
    const image = await nixkit(["--json", "image", "build", "app"], { cwd: dir, env: withOffline() });
    expect(image.exitCode, image.stderr).toBe(0);
    const run = await runImage((JSON.parse(image.stdout) as { output: string }).output.replace(/^oci:/, ""), args);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toBe(output);
  },
);

test("init never replaces a project's own files with the template's", async () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, "package.json"), '{ "name": "mine" }\n');
  const init = await nixkit(["init", "--template", "node"], { cwd: dir });
  expect(init.exitCode, init.stderr).toBe(0);
  expect(readFileSync(path.join(dir, "package.json"), "utf8")).toBe('{ "name": "mine" }\n');
  // The template's lockfile belongs to the template's package.json: it is not written either.
  expect(existsSync(path.join(dir, "package-lock.json"))).toBe(false);
  expect(existsSync(path.join(dir, "src/server.js"))).toBe(true);
});

describe("offline and slow networks", () => {
  test(
    versioned(
      "an unreachable substituter is named once, with the setting that avoids the wait, and left out of nixkit's calls",
      "config show's substituters",
    ),
    async () => {
      const dir = exampleProject();
      const dead = `http://127.0.0.1:${await freePort()}`;
      const env = { NIX_CONFIG: `substituters = ${dead}\nexperimental-features = nix-command flakes`, XDG_CACHE_HOME: tempDir() };
      editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace("GREETING: Hello", `GREETING: offline-${process.pid}-${Date.now()}`));
      const started = Date.now();
      const build = await nixkit(["-C", dir, "build"], { env });
      expect(build.exitCode, build.stderr).toBe(0);
      expect(build.stderr.split(`the binary cache ${dead}`).length - 1).toBe(1);
      expect(build.stderr).toContain("set `substituters =` in nix.conf (or NIX_CONFIG) while offline");
      // A cold entry says what it is doing at once, and (with the verdict) does not wait either.
      const run = await nixkit(["run", "--", "true"], { cwd: dir, env });
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/preparing the dev environment/);
      expect(Date.now() - started).toBeLessThan(8000);
    },
  );
});
