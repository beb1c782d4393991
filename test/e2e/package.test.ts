// The npm package: `npm pack` gives a tarball that, installed globally into a fresh prefix (as the
// generated CI installs nixkit), runs a new project's first steps: init, generate, build, test, run.
import { execa } from "execa";
import { readdirSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { nixEnv, repoRoot, tempDir } from "../helpers.js";
import { offlinePkgs } from "./project.js";

test("the packed tarball, installed globally in a fresh prefix, runs a new project", async () => {
  const packed = tempDir();
  const pack = await execa("npm", ["pack", "--pack-destination", packed, "--loglevel=error"], { cwd: repoRoot, reject: false });
  expect(pack.exitCode, pack.stderr).toBe(0);
  const tarball = path.join(
    packed,
    readdirSync(packed).find((f) => f.endsWith(".tgz"))!,
  );
  const prefix = tempDir();
  const install = await execa("npm", ["install", "--global", "--prefix", prefix, "--no-audit", "--no-fund", "--loglevel=error", tarball], {
    reject: false,
  });
  expect(install.exitCode, install.stderr).toBe(0);

  const project = tempDir();
  const env = { ...nixEnv, PATH: `${path.join(prefix, "bin")}:${process.env.PATH}`, NIXKIT_NIXPKGS: offlinePkgs() };
  for (const args of [["init"], ["generate"], ["build"], ["test"], ["run", "--", "true"]]) {
    const result = await execa("nixkit", args, { cwd: project, env, reject: false, stdin: "ignore" });
    expect(result.exitCode, `nixkit ${args.join(" ")}: ${result.stderr}`).toBe(0);
  }
});
