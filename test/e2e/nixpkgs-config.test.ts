// nixpkgs' configuration from the manifest: unfree packages are refused (as nixpkgs does) with
// the manifest field and the fix, and build once nixpkgs.allowUnfree names them. The package
// set is the offline one plus one package with an unfree license, called as nixpkgs is.
import { cpSync, readFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { describe, expect, test } from "vitest";
import { nixkit, tempDir, writeTree, versioned } from "../helpers.js";
import { offlinePkgs } from "./project.js";

function packageSetWithUnfree(): string {
  const dir = tempDir();
  cpSync(
    offlinePkgs()
      .replace(/^path:/, "")
      .replace(/\?.*$/, ""),
    path.join(dir, "offline"),
    { recursive: true },
  );
  writeTree(dir, {
    "flake.nix": `{ outputs = { self }: { legacyPackages.x86_64-linux = import ./default.nix { system = "x86_64-linux"; }; }; }`,
    "default.nix": `{ system, config ? { }, ... }:
      let base = import ./offline/default.nix { inherit system config; }; in
      base // {
        terraform = base.stdenv.mkDerivation {
          pname = "terraform";
          version = "1.5.7";
          dontUnpack = true;
          installPhase = "mkdir -p $out/bin; printf '#!/bin/sh\\\\necho terraform\\\\n' > $out/bin/terraform; chmod +x $out/bin/terraform";
          meta.license = { shortName = "bsl11"; free = false; };
        };
      }`,
  });
  return `path:${dir}`;
}

function project(nixpkgs: string, extra: Record<string, unknown> = {}): string {
  const dir = tempDir();
  writeTree(dir, {
    "nixkit.yaml": stringify({
      version: 1,
      name: "unfree",
      systems: ["x86_64-linux"],
      inputs: { nixpkgs },
      ...extra,
      shell: { packages: ["terraform"] },
      builds: { plan: { packages: ["terraform"], script: "terraform > $out" } },
    }),
  });
  return dir;
}

describe("nixpkgs.allowUnfree", () => {
  test(
    versioned(
      "an unfree package is refused at its field with the fix; allowed by name, it builds",
      "Nix's evaluation error, which nixkit places",
    ),
    async () => {
      const nixpkgs = packageSetWithUnfree();
      const refused = await nixkit(["-C", project(nixpkgs), "build"]);
      expect(refused.exitCode, refused.stderr).toBe(2);
      expect(refused.stderr).toMatch(
        /nixkit\.yaml:\d+:\d+ shell\.packages\[0\]: package "terraform" has an unfree license \(bsl11\) and nixpkgs refuses it; to accept its license, add "terraform" to nixpkgs\.allowUnfree in nixkit\.yaml/,
      );
      expect(refused.stderr).toMatch(/nixkit\.yaml:\d+:\d+ builds\.plan\.packages\[0\]: package "terraform" has an unfree license/);

      const dir = project(nixpkgs, { nixpkgs: { allowUnfree: ["terraform"] } });
      const built = await nixkit(["-C", dir, "--json", "build"]);
      expect(built.exitCode, built.stderr).toBe(0);
      const out = (JSON.parse(built.stdout) as { builds: { name: string; outPath: string }[] }).builds[0]!.outPath;
      expect(readFileSync(out, "utf8")).toBe("terraform\n");
    },
  );
});
