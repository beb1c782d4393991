// The Rust library's fetches, evaluated by Nix (nothing built): each crate of Cargo.lock from the
// address its registry's recorded `dl` gives, with cargo's markers expanded as the registry
// protocol spells them ({prefix} by the name's length), keyed by the lock's checksum; crates of
// the workspace itself left out; the source replacement cargo reads.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { toNix } from "../../src/generate/to-nix.js";
import { nix, repoRoot, tempDir } from "../helpers.js";

const sum = (c: string) => c.repeat(64);
const crate = (name: string, version: string, source: string, checksum: string) =>
  `[[package]]\nname = "${name}"\nversion = "${version}"\nsource = "${source}"\nchecksum = "${checksum}"\n`;

test("rust.nix fetches each registry crate by its checksum from the recorded address, markers expanded", async () => {
  const root = tempDir();
  mkdirSync(path.join(root, "svc"));
  const main = "registry+https://example.invalid/index";
  const other = "sparse+https://example.invalid/other/";
  writeFileSync(
    path.join(root, "svc/Cargo.lock"),
    `version = 3\n\n[[package]]\nname = "svc"\nversion = "0.1.0"\n\n` +
      [
        crate("a", "1.0.0", main, sum("a")),
        crate("ab", "0.1.0", main, sum("b")),
        crate("abc", "2.0.0", main, sum("c")),
        crate("Serde_X", "1.0.0", other, sum("d")),
        crate("q", "1.0.0", other, sum("e")),
        crate("qrs", "1.0.0", other, sum("f")),
      ].join("\n"),
  );
  const locks = {
    svc: {
      registries: {
        [main]: { name: "crates-io", registry: null, dl: "https://dl.example.invalid/api/v1/crates/{crate}/{version}/download" },
        [other]: {
          name: other,
          registry: other,
          dl: "https://other.example.invalid/{prefix}/{lowerprefix}/{crate}-{version}.crate?sum={sha256-checksum}",
        },
      },
    },
  };
  const lib = `(import ${path.join(repoRoot, "nix/offline-pkgs/lib.nix")})`;
  const code = `let
    pkgs = import ${path.join(repoRoot, "nix/offline-pkgs")} { system = "x86_64-linux"; };
    rust = import ${path.join(repoRoot, "nix/lib/rust.nix")} { inherit pkgs; lib = ${lib}; root = ${root}; locks = ${toNix(locks as never, "")}; };
    v = rust.vendor "svc";
  in { downloads = map (d: { inherit (d) url name; hash = d.outputHash; }) v.downloads; config = v.install.config; }`;
  const result = await nix(["eval", "--json", "--impure", "--expr", code], tempDir());
  expect(result.exitCode, result.stderr).toBe(0);
  const { downloads, config } = JSON.parse(result.stdout) as { downloads: { url: string; name: string; hash: string }[]; config: string };
  expect(downloads).toEqual([
    { url: "https://dl.example.invalid/api/v1/crates/a/1.0.0/download", name: "a-1.0.0.crate", hash: sum("a") },
    { url: "https://dl.example.invalid/api/v1/crates/ab/0.1.0/download", name: "ab-0.1.0.crate", hash: sum("b") },
    { url: "https://dl.example.invalid/api/v1/crates/abc/2.0.0/download", name: "abc-2.0.0.crate", hash: sum("c") },
    { url: `https://other.example.invalid/Se/rd/se/rd/Serde_X-1.0.0.crate?sum=${sum("d")}`, name: "Serde_X-1.0.0.crate", hash: sum("d") },
    { url: `https://other.example.invalid/1/1/q-1.0.0.crate?sum=${sum("e")}`, name: "q-1.0.0.crate", hash: sum("e") },
    { url: `https://other.example.invalid/3/q/3/q/qrs-1.0.0.crate?sum=${sum("f")}`, name: "qrs-1.0.0.crate", hash: sum("f") },
  ]);
  expect(config).toContain('[source."crates-io"]\n\nreplace-with = "nixkit-vendored"');
  expect(config).toContain(`[source."${other}"]\nregistry = "${other}"\nreplace-with = "nixkit-vendored"`);
});
