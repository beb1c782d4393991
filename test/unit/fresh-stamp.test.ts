// A `generate` with nothing to do is answered from a stamp without the full CLI: the stamp holds
// only while everything the plan and its writes depend on is as the full CLI left it.
import { appendFileSync, existsSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { freshByStamp } from "../../src/generate/fresh-stamp.js";
import { projectPaths } from "../../src/state/layout.js";
import { nixkitInProcess, tempDir, writeTree } from "../helpers.js";

const MANIFEST = `version: 1\nname: demo\ninputs: { nixpkgs: "path:/x" }\nbuilds:\n  app:\n    script: mkdir $out\n`;

async function generated(manifest = MANIFEST): Promise<string> {
  const dir = tempDir();
  writeTree(dir, { "nixkit.yaml": manifest, ".gitignore": "result*\n" });
  const result = await nixkitInProcess(["-C", dir, "generate"]);
  expect(result.exitCode, result.stderr).toBe(0);
  return dir;
}

describe("the fresh stamp", () => {
  test("holds after generate, and breaks with any input", async () => {
    const dir = await generated();
    expect(freshByStamp(dir)).toBe(true);
    const paths = projectPaths(dir);
    const breaks: [string, () => void][] = [
      ["the manifest", () => appendFileSync(paths.manifest, "# note\n")],
      [".gitignore", () => appendFileSync(path.join(dir, ".gitignore"), "lib/\n")],
      ["a library file", () => appendFileSync(path.join(paths.lib, "glob.nix"), " ")],
      ["an extra library file", () => writeFileSync(path.join(paths.lib, "extra.nix"), "{}")],
      ["a temp file a killed write left", () => writeFileSync(path.join(paths.lib, ".glob.nix.1.x.tmp"), "half")],
      ["flake.nix", () => appendFileSync(paths.flake, "\n")],
      ["the stamp itself", () => writeFileSync(paths.generatedStamp, "{}")],
    ];
    for (const [what, change] of breaks) {
      change();
      expect(freshByStamp(dir), what).toBe(false);
      // The full CLI puts things right (or says why) and stamps again.
      rmSync(path.join(paths.lib, "extra.nix"), { force: true });
      rmSync(path.join(paths.lib, ".glob.nix.1.x.tmp"), { force: true });
      const again = await nixkitInProcess(["-C", dir, "generate", "--force"]);
      expect(again.exitCode, again.stderr).toBe(0);
      expect(freshByStamp(dir), `after ${what}`).toBe(true);
    }
  });

  test("is never written for a manifest with node fields (its plan reads lockfiles and npm's settings)", async () => {
    const dir = tempDir();
    writeTree(dir, {
      "nixkit.yaml": `version: 1\nname: demo\ninputs: { nixpkgs: "path:/x" }\nshell:\n  node: { lockfile: package-lock.json }\n`,
      "package.json": JSON.stringify({ name: "demo", version: "1.0.0" }),
      "package-lock.json": JSON.stringify({ name: "demo", lockfileVersion: 3, packages: { "": { name: "demo" } } }),
    });
    const result = await nixkitInProcess(["-C", dir, "generate"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(existsSync(projectPaths(dir).generatedStamp)).toBe(false);
    expect(freshByStamp(dir)).toBe(false);
  });
});
