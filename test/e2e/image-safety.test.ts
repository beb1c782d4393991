// Images never cost the user data and never trust a damaged cache: --out refuses what nixkit did
// not write and missing directories, a killed or concurrent writer leaves the layout old or new,
// Ctrl-C stops the writing at once, a damaged layer-cache blob is noticed and rewritten, and a
// build output that points at the host (or has a name that is not UTF-8) is refused by name.
import { execa } from "execa";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { cliPath, nixEnv, nixkit, snapshotTree, tempDir } from "../helpers.js";
import { editFile, exampleProject } from "./project.js";

interface Built {
  digest: string;
  output: string;
  layers: { digest: string }[];
}

async function build(dir: string, args: string[] = [], env: Record<string, string> = {}) {
  const result = await nixkit(["-C", dir, "--json", "image", "build", "greeter", ...args], { env });
  return { ...result, built: result.exitCode === 0 ? (JSON.parse(result.stdout) as Built) : undefined };
}

/** Every entry below `dir` whose name marks a temp, an aside copy or a lock. */
function leftovers(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (/\.(tmp|old|lock)$/.test(entry.name)) found.push(path.join(d, entry.name));
      if (entry.isDirectory()) walk(path.join(d, entry.name));
    }
  };
  if (existsSync(dir)) walk(dir);
  return found;
}

describe("image outputs never replace what nixkit did not write", () => {
  test("--out oci:. inside the project is refused and the project is untouched", async () => {
    const dir = exampleProject();
    mkdirSync(path.join(dir, ".git"));
    writeFileSync(path.join(dir, ".git/HEAD"), "ref: refs/heads/main\n");
    await nixkit(["-C", dir, "generate"]);
    const before = snapshotTree(dir);
    const result = await nixkit(["image", "build", "greeter", "--out", "oci:."], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("exists and is not an OCI layout nixkit wrote; nixkit will not replace it");
    expect(snapshotTree(dir)).toEqual(before);
  });

  test.each([
    ["oci", "a directory of the user's", (p: string) => (mkdirSync(p), writeFileSync(path.join(p, "notes.txt"), "mine"))],
    ["oci-archive", "a file of the user's", (p: string) => writeFileSync(p, "precious")],
    ["docker-archive", "a directory", (p: string) => mkdirSync(p)],
  ])("--out %s: over %s is refused, untouched", async (kind, _what, make) => {
    const dir = exampleProject();
    const parent = tempDir();
    const out = path.join(parent, "target");
    make(out);
    const before = snapshotTree(parent);
    const result = await build(dir, ["--out", `${kind}:${out}`]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("nixkit will not replace it");
    expect(snapshotTree(parent)).toEqual(before);
  });

  test("a missing directory is an error, not created", async () => {
    const missing = path.join(tempDir(), "no", "such");
    const result = await build(exampleProject(), ["--out", `docker-archive:${missing}/x.tar`]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${missing} does not exist or is not a directory`);
    expect(existsSync(path.dirname(missing))).toBe(false);
  });

  test("its own outputs are replaced, and the layout carries nixkit's marker", async () => {
    const dir = exampleProject();
    const parent = tempDir();
    for (const kind of ["oci", "oci-archive", "docker-archive"]) {
      const out = path.join(parent, kind);
      expect((await build(dir, ["--out", `${kind}:${out}`])).exitCode).toBe(0);
      editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace(/cmd: \[\w+\]/, `cmd: [${kind.replace("-", "")}]`));
      expect((await build(dir, ["--out", `${kind}:${out}`])).exitCode).toBe(0);
    }
    expect(existsSync(path.join(parent, "oci", ".nixkit-image"))).toBe(true);
    expect(leftovers(parent)).toEqual([]);
  });
});

describe("interrupted and concurrent writers", () => {
  test("concurrent builds to one layout take turns: all succeed, the layout is whole, nothing is left over", async () => {
    const dir = exampleProject();
    const parent = tempDir();
    const out = path.join(parent, "layout");
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all([build(dir, ["--out", `oci:${out}`]), build(dir, ["--out", `oci:${out}`])]);
      for (const r of results) expect(r.exitCode, r.stderr).toBe(0);
      const check = await execa("skopeo", ["inspect", `oci:${out}:latest`], { reject: false });
      expect(check.exitCode, check.stderr).toBe(0);
    }
    expect(leftovers(parent)).toEqual([]);
  });

  test("Ctrl-C while layers are written: exit 130 within a second, no temp file anywhere", async () => {
    const dir = exampleProject();
    // A 150 MB layer takes seconds to compress: long enough to be interrupted in the middle.
    editFile(path.join(dir, "nixkit.yaml"), (t) =>
      t.replace(
        'chmod +x "$out/bin/greet"\n',
        'chmod +x "$out/bin/greet"\n      head -c 150000000 /dev/urandom > "$out/share/greet/blob"\n',
      ),
    );
    expect((await nixkit(["-C", dir, "build"])).exitCode).toBe(0);
    const cache = tempDir();
    const parent = tempDir();
    const child = spawn(process.execPath, [cliPath, "-C", dir, "image", "build", "greeter", "--out", `oci-archive:${parent}/x.tar`], {
      env: { ...process.env, ...nixEnv, XDG_CACHE_HOME: cache },
      stdio: "ignore",
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const tmp = path.join(cache, "nixkit/image-cache/tmp");
    for (let i = 0; i < 600 && !(existsSync(tmp) && readdirSync(tmp).length > 0); i++) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(tmp).length).toBeGreaterThan(0);
    const sent = Date.now();
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(Date.now() - sent).toBeLessThan(1500);
    expect(leftovers(cache)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe("the layer cache is verified, never trusted blindly", () => {
  test.each([
    ["a flipped byte", (f: string) => writeFileSync(f, Buffer.from(readFileSync(f).map((b, i) => (i === 100 ? b ^ 0xff : b))))],
    ["a truncated blob", (f: string) => truncateSync(f, 10)],
    ["an empty blob", (f: string) => truncateSync(f, 0)],
  ])("%s is noticed, rewritten, and never reaches an image", async (_what, damage) => {
    const dir = exampleProject();
    const cache = tempDir();
    const env = { XDG_CACHE_HOME: cache };
    const parent = tempDir();
    const first = await build(dir, ["--out", `oci:${parent}/first`], env);
    expect(first.exitCode, first.stderr).toBe(0);
    const largest = first.built!.layers[0]!.digest.slice(7);
    damage(path.join(cache, "nixkit/image-cache/blobs/sha256", largest));
    const again = await build(dir, ["--out", `oci:${parent}/second`], env);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain("the image layer cache had a damaged entry");
    expect(again.built!.digest).toBe(first.built!.digest);
    for (const layout of ["first", "second"]) {
      // skopeo checks every blob against its digest.
      const copy = await execa("skopeo", ["copy", `oci:${parent}/${layout}:latest`, `dir:${tempDir()}`], { reject: false });
      expect(copy.exitCode, copy.stderr).toBe(0);
    }
  });
});

describe("images do not depend on the host", () => {
  test("a build output linking to the host's /etc is refused, naming the link", async () => {
    const dir = exampleProject();
    editFile(path.join(dir, "nixkit.yaml"), (t) =>
      t
        .replace('chmod +x "$out/bin/greet"\n', 'chmod +x "$out/bin/greet"\n      ln -s /etc "$out/etc"\n')
        .replace("contents: [greet, busybox, cacert]", "contents: [greet, busybox]"),
    );
    const result = await build(dir);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("image: the image root's etc/ is a link that leads out of the Nix store (to /etc)");
  });

  test("a file name that is not UTF-8 is refused by name", async () => {
    const dir = exampleProject();
    editFile(path.join(dir, "nixkit.yaml"), (t) =>
      t.replace('chmod +x "$out/bin/greet"\n', `chmod +x "$out/bin/greet"\n      touch "$out/share/greet/bad$(printf '\\377\\376')name"\n`),
    );
    const result = await build(dir);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/image: \/nix\/store\/[^ ]+-greet\/share\/greet\/ has an entry whose name is not UTF-8 \("badÿþname"\)/);
  });

  test("the source annotation is the same for an ssh and an https clone, and absent for a local one", async () => {
    const digests: string[] = [];
    const sources: (string | undefined)[] = [];
    for (const remote of ["git@example.org:team/hello.git", "https://example.org/team/hello", "/srv/git/hello"]) {
      const dir = exampleProject();
      const dates = { GIT_AUTHOR_DATE: "2020-01-01T00:00:00Z", GIT_COMMITTER_DATE: "2020-01-01T00:00:00Z" };
      const git = (...args: string[]) =>
        execa("git", ["-C", dir, "-c", "user.email=t@example.org", "-c", "user.name=t", ...args], { env: dates });
      await git("init", "-q");
      await git("remote", "add", "origin", remote);
      await nixkit(["-C", dir, "generate"]);
      await git("add", ".");
      await git("commit", "-qm", "same");
      const result = await build(dir, [], { GITHUB_REPOSITORY: "", CI_PROJECT_URL: "" });
      expect(result.exitCode, result.stderr).toBe(0);
      const layout = result.built!.output.replace(/^oci:/, "");
      const index = JSON.parse(readFileSync(path.join(layout, "index.json"), "utf8"));
      const manifest = JSON.parse(readFileSync(path.join(layout, "blobs/sha256", index.manifests[0].digest.slice(7)), "utf8"));
      sources.push(manifest.annotations?.["org.opencontainers.image.source"]);
      digests.push(result.built!.digest);
    }
    expect(sources).toEqual(["https://example.org/team/hello.git", "https://example.org/team/hello.git", undefined]);
    expect(digests[0]).toBe(digests[1]);
  });
});

test("a layout killed between its two renames is found old, and the leftovers are swept", async () => {
  const dir = exampleProject();
  const parent = tempDir();
  const out = path.join(parent, "layout");
  expect((await build(dir, ["--out", `oci:${out}`])).exitCode).toBe(0);
  // What a writer killed after setting the old layout aside leaves: no layout, the old one aside, a temp.
  const dead = (await execa("sh", ["-c", "echo $$"])).stdout.trim();
  const aside = path.join(parent, `.layout.${dead}.abc.old`);
  await execa("mv", [out, aside]);
  mkdirSync(path.join(parent, `.layout.${dead}.def.tmp`));
  symlinkSync("x", path.join(parent, `.other.${dead}.ghi.tmp`));
  editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace("cmd: [world]", "cmd: [again]"));
  const result = await build(dir, ["--out", `oci:${out}`]);
  expect(result.exitCode, result.stderr).toBe(0);
  expect(readdirSync(parent).sort()).toEqual(["layout"]);
});
