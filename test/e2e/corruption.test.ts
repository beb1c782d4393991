// Corruption matrix: each of nixkit's caches damaged in each way (a flipped byte, truncated,
// emptied, valid but wrong JSON). The result must be the correct one (the same image digest, the
// same environment, the manifest as nixkit.yaml says) and, where the damage is found, a warning;
// never a wrong image or environment.
import { execa } from "execa";
import { existsSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { cliPath, nixEnv, tempDir, versioned } from "../helpers.js";
import { editFile, exampleProject } from "./project.js";

type Damage = (file: string) => void;
const flipByte: Damage = (f) => {
  const bytes = readFileSync(f);
  bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
  writeFileSync(f, bytes);
};
const truncate: Damage = (f) => truncateSync(f, Math.floor(readFileSync(f).length / 2));
const empty: Damage = (f) => truncateSync(f, 0);

const DAMAGES: [string, Damage][] = [
  ["a flipped byte", flipByte],
  ["truncated", truncate],
  ["emptied", empty],
];

function project() {
  const dir = exampleProject();
  const home = tempDir();
  const env = { ...nixEnv, XDG_CACHE_HOME: path.join(home, "cache") };
  const run = (args: string[], extra: Record<string, string> = {}) =>
    execa(process.execPath, [cliPath, "-C", dir, ...args], { env: { ...env, ...extra }, reject: false, stdin: "ignore" });
  return { dir, cache: path.join(env.XDG_CACHE_HOME, "nixkit"), run };
}

const files = (dir: string, suffix: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(suffix)) : []);

describe("the shell's cached environment (.nixkit/cache/shell/*.rc)", () => {
  test.each(DAMAGES)("%s: rebuilt with a warning, the right environment served", async (_what, damage) => {
    const p = project();
    expect((await p.run(["run", "--", "printenv", "GREETING"])).stdout.trim().split("\n").at(-1)).toBe("Hello");
    const shell = path.join(p.dir, ".nixkit/cache/shell");
    for (const rc of files(shell, ".rc")) damage(path.join(shell, rc));
    const again = await p.run(["run", "--", "printenv", "GREETING"]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout.trim().split("\n").at(-1)).toBe("Hello");
    expect(again.stderr).toContain("was damaged; making it again");
  });
});

describe("the manifest cache (~/.cache/nixkit/manifests)", () => {
  const wrongJson: Damage = (f) => {
    const entry = JSON.parse(readFileSync(f, "utf8"));
    entry.manifest.builds.greet.script = "echo pwned > $out";
    writeFileSync(f, JSON.stringify(entry));
  };
  const nullManifest: Damage = (f) => writeFileSync(f, JSON.stringify({ ...JSON.parse(readFileSync(f, "utf8")), manifest: null }));
  test.each([...DAMAGES, ["valid JSON, a changed script", wrongJson] as const, ["valid JSON, manifest: null", nullManifest] as const])(
    "%s: nixkit.yaml is parsed again, with a warning",
    async (what, damage) => {
      const p = project();
      expect((await p.run(["generate"])).exitCode).toBe(0);
      const flake = readFileSync(path.join(p.dir, "flake.nix"), "utf8");
      const dir = path.join(p.cache, "manifests");
      for (const entry of files(dir, ".json")) damage(path.join(dir, entry));
      // Regenerating from scratch must give the same flake, from nixkit.yaml.
      rmSync(path.join(p.dir, "flake.nix"));
      const again = await p.run(["generate"]);
      expect(again.exitCode, again.stderr).toBe(0);
      expect(readFileSync(path.join(p.dir, "flake.nix"), "utf8")).toBe(flake);
      expect(readFileSync(path.join(p.dir, "flake.nix"), "utf8")).not.toContain("pwned");
      expect(again.stderr, what).toContain("ignoring a damaged manifest cache entry");
    },
  );
});

describe("the image layer cache (~/.cache/nixkit/image-cache)", () => {
  const pointElsewhere: Damage = (f) => {
    const entry = JSON.parse(readFileSync(f, "utf8"));
    const other = readdirSync(path.join(path.dirname(f), "..", "blobs/sha256")).find((b) => `sha256:${b}` !== entry.digest)!;
    writeFileSync(f, JSON.stringify({ ...entry, digest: `sha256:${other}` }));
  };
  test.each([
    ["a blob, a flipped byte", "blobs/sha256", flipByte],
    ["a blob, truncated", "blobs/sha256", truncate],
    ["a blob, emptied", "blobs/sha256", empty],
    ["an index entry, truncated", "layers", truncate],
    ["an index entry, valid JSON naming another layer's blob", "layers", pointElsewhere],
  ] as const)("%s: the same image, with a warning", async (_what, where, damage) => {
    const p = project();
    const build = async () => {
      const result = await p.run(["--json", "image", "build", "greeter"]);
      expect(result.exitCode, result.stderr).toBe(0);
      return { digest: JSON.parse(result.stdout).digest as string, stderr: result.stderr };
    };
    const first = await build();
    editFile(path.join(p.dir, "nixkit.yaml"), (t) => t);
    const dir = path.join(p.cache, "image-cache", where);
    for (const file of readdirSync(dir)) damage(path.join(dir, file));
    const again = await build();
    expect(again.digest).toBe(first.digest);
    expect(again.stderr).toContain("the image layer cache had a damaged entry");
  });
});

describe("the offline package set", () => {
  test.each([
    ["bootstrap/bin/bash truncated", (d: string) => truncate(path.join(d, "bootstrap/bin/bash"))],
    ["lib.nix deleted", (d: string) => rmSync(path.join(d, "lib.nix"))],
    ["a flipped byte in busybox", (d: string) => flipByte(path.join(d, "bootstrap/bin/busybox"))],
  ])("%s: doctor fails it, offline-pkgs prepares it again", async (_what, damage) => {
    const home = tempDir();
    const env = { ...nixEnv, XDG_CACHE_HOME: home };
    const offline = async () => (await execa(process.execPath, [cliPath, "offline-pkgs"], { env })).stdout.trim();
    const ref = await offline();
    const dir = ref.replace(/^path:/, "");
    damage(dir);
    const doctor = await execa(process.execPath, [cliPath, "-C", tempDir(), "--nixpkgs", ref, "doctor"], { env, reject: false });
    expect(doctor.stdout).toMatch(/FAIL\s+nixpkgs\s+the offline package set .* is damaged/);
    const again = await execa(process.execPath, [cliPath, "offline-pkgs"], { env });
    expect(again.stdout.trim()).toBe(ref);
    expect(again.stderr).toContain("is damaged");
    const fixed = await execa(process.execPath, [cliPath, "-C", tempDir(), "--nixpkgs", ref, "doctor"], { env, reject: false });
    expect(fixed.stdout).toMatch(/PASS\s+nixpkgs/);
  });
});

describe(versioned("the Nix version cache (~/.cache/nixkit/nix-versions.json)", "nix --version's text"), () => {
  test.each([
    ...DAMAGES,
    ["valid JSON, another version", (f: string) => writeFileSync(f, readFileSync(f, "utf8").replace(/\d+\.\d+\.\d+/, "2.99.0"))] as const,
  ])("%s: the version is asked again", async (_what, damage) => {
    const p = project();
    expect((await p.run(["build"])).exitCode).toBe(0);
    damage(path.join(p.cache, "nix-versions.json"));
    const again = await p.run(["--json", "ci", "--stages", "build"]);
    expect(again.exitCode, again.stderr).toBe(0);
    const actual = (await execa("nix", ["--version"])).stdout.trim();
    expect(JSON.parse(readFileSync(path.join(p.cache, "nix-versions.json"), "utf8"))).toMatchObject({});
    expect(
      Object.values(JSON.parse(readFileSync(path.join(p.cache, "nix-versions.json"), "utf8"))).map((e) => (e as { output: string }).output),
    ).toContain(actual);
  });
});
