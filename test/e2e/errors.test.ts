// Errors that say what happened: a test that cannot run shows Nix's reason; a read-only project
// or HOME and a full disk are environment problems (exit 3) naming the path and the fix, and
// leave nothing half-written. Read-only and full file systems are real mounts, made in a private
// mount namespace the test creates.
import { execa } from "execa";
import { cpSync, existsSync, lstatSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { cliPath, nix, nixEnv, nixkit, repoRoot, snapshotTree, tempDir, writeTree, versioned } from "../helpers.js";
import { exampleProject, offlinePkgs } from "./project.js";

/** Runs the CLI in a private mount namespace after `setup` (shell) made its mounts, then `after`. */
function inMounts(setup: string, args: string[], env: Record<string, string> = {}, after = "true") {
  const script = `set -e; mount --make-rprivate /; ${setup}; set +e; "$@"; rc=$?; ${after}; exit $rc`;
  return execa("unshare", ["--mount", "sh", "-c", script, "sh", process.execPath, cliPath, ...args], {
    env: { ...process.env, ...nixEnv, ...env },
    reject: false,
    stdin: "ignore",
  });
}
const readOnly = (dir: string) => `mount --bind '${dir}' '${dir}'; mount -o remount,bind,ro '${dir}'`;

describe("a test that cannot run says why", () => {
  test(versioned("an evaluation error in what it needs is shown, from Nix", "Nix's error text, which nixkit shows"), async () => {
    // A nixpkgs whose package throws when evaluated.
    const pkgs = tempDir();
    writeFileSync(
      path.join(pkgs, "flake.nix"),
      `{ inputs.real.url = ${JSON.stringify(offlinePkgs())};
         outputs = { real, ... }: { legacyPackages.x86_64-linux = real.legacyPackages.x86_64-linux // { boom = throw "boom: this package cannot be evaluated"; }; }; }`,
    );
    expect((await nix(["flake", "lock"], pkgs)).exitCode).toBe(0);
    const dir = tempDir();
    writeTree(dir, {
      "nixkit.yaml": `version: 1\nname: t\nsystems: [x86_64-linux]\ninputs: { nixpkgs: "path:${pkgs}" }\ntests:\n  unit: { packages: [boom], script: "true" }\n`,
    });
    const result = await nixkit(["-C", dir, "test"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("boom: this package cannot be evaluated");
    expect(result.stdout).toMatch(/unit\s+ERROR\s+-\s+-\s+could not run: .*boom: this package cannot be evaluated/);
  });
});

describe("environment problems are exit 3 with the path and the fix", () => {
  test("a read-only project: generate names the file, writes nothing", async () => {
    const dir = exampleProject();
    const before = snapshotTree(dir);
    const result = await inMounts(readOnly(dir), ["-C", dir, "generate"]);
    expect(result.exitCode, result.stderr).toBe(3);
    expect(result.stderr).toMatch(new RegExp(`cannot \\w+ ${dir}/.*: the file system is read-only \\(run nixkit where it may write`));
    expect(snapshotTree(dir)).toEqual(before);
  });

  test(
    versioned("a read-only project after Nix built: the GC root that could not be written is named", "Nix's add-root error"),
    async () => {
      const dir = exampleProject();
      expect((await nixkit(["-C", dir, "lock"])).exitCode).toBe(0);
      expect((await nixkit(["-C", dir, "generate"])).exitCode).toBe(0);
      const result = await inMounts(readOnly(dir), ["-C", dir, "build"]);
      expect(result.exitCode, result.stderr).toBe(3);
      expect(result.stderr).toContain(`${dir}/.nixkit/cache/gcroots`);
      expect(result.stderr).toContain("the file system is read-only");
    },
  );

  test("a read-only HOME: generate --check still answers, writing nothing", async () => {
    const dir = exampleProject();
    expect((await nixkit(["-C", dir, "generate"])).exitCode).toBe(0);
    const home = tempDir();
    const result = await inMounts(readOnly(home), ["-C", dir, "generate", "--check"], {
      HOME: home,
      XDG_CACHE_HOME: path.join(home, ".cache"),
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).not.toContain("unexpected");
    expect(readdirSync(home)).toEqual([]);
  });

  test("a read-only HOME: image build and run are exit 3 naming the directory, not 'unexpected'", async () => {
    // Not locked yet: Nix then needs its cache under HOME to lock the flake.
    const dir = exampleProject();
    const home = tempDir();
    const env = { HOME: home };
    // Unset, not empty: Nix takes an empty XDG_CACHE_HOME as a (relative) directory.
    const setup = `${readOnly(home)}; unset XDG_CACHE_HOME XDG_CONFIG_HOME`;
    const image = await inMounts(setup, ["-C", dir, "image", "build", "greeter"], env);
    expect(image.exitCode, image.stderr).toBe(3);
    expect(image.stderr).toContain(`cannot mkdir ${home}/.cache`);
    expect(image.stderr).toContain("the file system is read-only");
    // With --nixpkgs, Nix 2.8 fetches the override through its cache under HOME and fails; newer
    // Nix goes on without the cache. Either it works, or it is exit 3 naming the directory.
    const run = await inMounts(setup, ["-C", dir, "--nixpkgs", offlinePkgs(), "run", "--", "true"], env);
    expect([0, 3], run.stderr).toContain(run.exitCode);
    if (run.exitCode === 3) expect(run.stderr).toMatch(new RegExp(`cannot (mkdir|write) ${home}/\\.cache.*read-only`));
    for (const result of [image, run]) expect(result.stderr).not.toContain("unexpected");
  });

  test("a full disk: exit 3, and no temp file is left behind", async () => {
    const dir = tempDir();
    const project = path.join(dir, "p");
    // A 64 KiB file system with room for the manifest, not for the generated files.
    const setup = `mount -t tmpfs -o size=64k tmpfs '${dir}'; mkdir '${project}'; cp '${path.join(exampleProject(), "nixkit.yaml")}' '${project}/'; head -c 40000 /dev/zero > '${dir}/filler' || true`;
    const listing = `echo LISTING; find '${project}' -mindepth 1`;
    const result = await inMounts(setup, ["-C", project, "generate"], {}, listing);
    expect(result.exitCode, result.stderr).toBe(3);
    expect(result.stderr).toContain("no space left on the device");
    const left = result.stdout.slice(result.stdout.indexOf("LISTING")).split("\n").slice(1).filter(Boolean);
    expect(left.filter((f) => /\.tmp$/.test(f))).toEqual([]);
  });
});

describe("a cloned repository's hostile files", () => {
  test.each(["package-lock.json", "nixkit.yaml"])(
    "%s linked to /dev/zero: every command refuses at once naming the file, exit 2",
    async (file) => {
      const dir = tempDir();
      cpSync(path.join(repoRoot, "examples/node-service"), dir, { recursive: true });
      rmSync(path.join(dir, file));
      symlinkSync("/dev/zero", path.join(dir, file));
      for (const args of [
        ["generate"],
        ["build"],
        ["test"],
        ["run", "--", "true"],
        ["shell"],
        ["ci", "--stages", "check"],
        ["image", "build", "service"],
      ]) {
        const started = Date.now();
        const result = await nixkit(["-C", dir, ...args]);
        expect(result.exitCode, `${args.join(" ")}: ${result.stderr}`).toBe(2);
        expect(result.stderr).toContain(`${file}: a symlink to /dev/zero, outside the project`);
        expect(Date.now() - started).toBeLessThan(5000);
      }
    },
  );

  test("a .gitignore that is a link is never replaced by a file; generate says what to add", async () => {
    const dir = exampleProject();
    writeFileSync(path.join(dir, "shared-ignore"), "node_modules/\n");
    symlinkSync("shared-ignore", path.join(dir, ".gitignore"));
    const result = await nixkit(["-C", dir, "generate"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      ".gitignore is a link, which nixkit does not replace: add `.nixkit/cache/`, `result*` to the file it points at",
    );
    expect(lstatSync(path.join(dir, ".gitignore")).isSymbolicLink()).toBe(true);
    expect(existsSync(path.join(dir, "flake.nix"))).toBe(false);
    writeFileSync(path.join(dir, "shared-ignore"), "node_modules/\n.nixkit/cache/\nresult*\n");
    expect((await nixkit(["-C", dir, "generate"])).exitCode).toBe(0);
  });
});
