// yarn 4's yarn.lock read for Nix (src/node/yarn-berry-lockfile.ts): each package by the name
// yarn's cache gives it and the hash Nix checks it by, members and local paths, every refusal at
// its line; and the archive yarn's cache holds (nix/lib/yarn-zip.cjs) laid out as yarn lays it.
import { createRequire } from "node:module";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { cacheFile, readBerryLock } from "../../src/node/yarn-berry-lockfile.js";
import { repoRoot, tempDir, writeTree } from "../helpers.js";

const { tarballToZip } = createRequire(import.meta.url)(path.join(repoRoot, "nix/lib/yarn-zip.cjs")) as {
  tarballToZip: (tgz: Buffer, name: string) => Buffer;
};

const HEADER = "__metadata:\n  version: 8\n  cacheKey: 10c0\n\n";
const SUM = "ab".repeat(64);
const lookups: string[] = [];
const read = (body: string, systems = ["x86_64-linux"]) => {
  const dir = tempDir();
  writeTree(dir, { "yarn.lock": HEADER + body, "package.json": "{}" });
  return readBerryLock(dir, "yarn.lock", systems, (spec) => {
    lookups.push(spec);
    return "sha512-registry==";
  });
};
const errorOf = (body: string): string => {
  try {
    read(body);
  } catch (error) {
    return (error as Error).message.replace(/^.*yarn\.lock:/, "yarn.lock:");
  }
  return "(no error)";
};
const entry = (key: string, resolution: string, extra = "") =>
  `"${key}":\n  version: 1.0.0\n  resolution: "${resolution}"\n${extra}  languageName: node\n  linkType: hard\n\n`;

describe("readBerryLock", () => {
  test("the fixture: registry packages by yarn's cache names, the platform package by the registry's hash, members, patches", () => {
    lookups.length = 0;
    const lock = readBerryLock(path.join(repoRoot, "test/fixtures/yarn-berry"), "yarn.lock", ["x86_64-linux"], (spec) => {
      lookups.push(spec);
      return "sha512-registry==";
    });
    expect(lock.packages.map((line) => line.split(" ")[0])).toEqual([
      "@esbuild-linux-x64-npm-0.24.0-744e76a7ed-10c0.zip",
      "esbuild-npm-0.24.0-1252872327-9f1aadd8d6.zip",
      "is-number-npm-6.0.0-30881e83e6-5da4c68401.zip",
      "is-number-npm-7.0.0-060086935c-b4686d0d30.zip",
      "is-odd-npm-3.0.1-93c3c3f41b-89ee2e353c.zip",
      "semver-npm-7.6.3-57e82c14d5-88f33e148b.zip",
    ]);
    expect(lookups).toEqual(["@esbuild/linux-x64@0.24.0"]);
    expect(lock.packages[0]).toBe(
      "@esbuild-linux-x64-npm-0.24.0-744e76a7ed-10c0.zip @esbuild/linux-x64 0.24.0 sha512-registry== os=linux cpu=x64",
    );
    expect(lock.packages[5]).toMatch(/^semver-npm-7\.6\.3-\S+ semver 7\.6\.3 zip:sha512-iPM\S+==$/);
    expect(lock.members).toEqual(["packages/app", "packages/lib"]);
    // file: and link: paths are the workspace's (packages/app/../../vendor/…); file: reads "file:SOURCE#SELECTOR".
    expect(lock.localPaths).toEqual([".yarn/patches", ".yarn/plugins", "vendor/greeting", "vendor/shout"]);
    expect(lock.linked).toEqual(["vendor/shout"]);
  });

  test("yarn's cache names: the locator's hash, the checksum's first characters, or the cache key without one", () => {
    expect(cacheFile("lodash", "npm:4.17.21", "d8cbea072bb08655")).toBe("lodash-npm-4.17.21-6382451519-d8cbea072b.zip");
    expect(cacheFile("typescript", "npm:5.6.3", "44f61d3fb15c3535")).toBe("typescript-npm-5.6.3-cc9b3687b0-44f61d3fb1.zip");
    expect(cacheFile("@esbuild/linux-x64", "npm:0.24.0")).toBe("@esbuild-linux-x64-npm-0.24.0-744e76a7ed-10c0.zip");
  });

  test("other platforms' packages without a checksum are left out, and not looked up; with one (yarn fetched it) they are kept", () => {
    lookups.length = 0;
    const lock = read(entry("@x/darwin@npm:1.0.0", "@x/darwin@npm:1.0.0", "  conditions: os=darwin & cpu=arm64\n"));
    expect(lock.packages).toEqual([]);
    expect(lookups).toEqual([]);
    const both = read(entry("@x/darwin@npm:1.0.0", "@x/darwin@npm:1.0.0", "  conditions: os=darwin & cpu=arm64\n"), ["aarch64-darwin"]);
    expect(both.packages).toHaveLength(1);
    // fsevents: darwin-only, but yarn fetched it to make its built-in patch, and wants it again.
    const fsevents = read(entry("fsevents@npm:2.3.3", "fsevents@npm:2.3.3", `  checksum: 10c0/${SUM}\n  conditions: os=darwin\n`));
    expect(fsevents.packages).toEqual([expect.stringMatching(/^fsevents-npm-2\.3\.3-\S+ fsevents 1\.0\.0 zip:sha512-\S+$/)]);
  });

  test("an http(s) tarball with a checksum is fetched by its URL; workspace:, patch: and file: need no download", () => {
    const lock = read(
      entry("a@https://example.invalid/a-1.0.0.tgz", "a@https://example.invalid/a-1.0.0.tgz", `  checksum: 10c0/${SUM}\n`) +
        entry("m@workspace:packages/m", "m@workspace:packages/m") +
        entry("p@patch:p@npm%3A1.0.0#~/.yarn/patches/p.patch", "p@patch:p@npm%3A1.0.0#~/.yarn/patches/p.patch::version=1.0.0&hash=abc") +
        entry("v@file:./vendor/v.tgz", "v@file:./vendor/v.tgz::locator=root%40workspace%3Apackages%2Fm"),
    );
    expect(lock.packages).toHaveLength(1);
    expect(lock.packages[0]).toMatch(/^a-https-[0-9a-f]{10}-abababab\S* a https:\/\/example\.invalid\/a-1\.0\.0\.tgz zip:sha512-/);
    expect(lock.members).toEqual(["packages/m"]);
    expect(lock.localPaths).toContain("packages/m/vendor/v.tgz");
  });

  test("refusals at their line and column, with the fix", () => {
    expect(errorOf(entry("g@git", "g@https://github.com/o/g.git#commit=abc"))).toMatch(
      /^yarn\.lock:7:15: g is a git dependency .*publish it to a registry, or vendor a tarball of it/,
    );
    expect(errorOf(entry("u@https://example.invalid/u.tgz", "u@https://example.invalid/u.tgz"))).toMatch(
      /^yarn\.lock:7:15: u has no checksum, so its download cannot be checked; run `yarn install --refresh-lockfile`/,
    );
    expect(errorOf(entry("e@exec:./gen.js", "e@exec:./gen.js"))).toMatch(/^yarn\.lock:7:15: e is an exec: \(generated\) dependency/);
    expect(
      errorOf(entry("s@npm:1.0.0", "s@npm:1.0.0::__archiveUrl=https%3A%2F%2Fexample.invalid%2Fa%20b.tgz", `  checksum: 10c0/${SUM}\n`)),
    ).toMatch(/^yarn\.lock:7:15: s's download "https:\/\/example\.invalid\/a b\.tgz" is not an http\(s\) URL nixkit can fetch/);
  });

  test("a cache key nixkit cannot rebuild archives for, and a lockfile that is not YAML", () => {
    const dir = tempDir();
    writeTree(dir, { "yarn.lock": "__metadata:\n  version: 6\n  cacheKey: 8\n", "package.json": "{}" });
    expect(() => readBerryLock(dir, "yarn.lock", [], () => "")).toThrow(
      /yarn\.lock:3:13: cacheKey 8 is not yarn 4's 10c0.*yarn set version 4/,
    );
    writeTree(dir, { "yarn.lock": '__metadata:\n  cacheKey: 10c0\n"a: [\n' });
    expect(() => readBerryLock(dir, "yarn.lock", [], () => "")).toThrow(/yarn\.lock:\d+:\d+: not valid YAML; run `yarn install`/);
  });
});

/** A tar archive of `entries` (ustar headers; a pax header for a long name). */
function tarOf(entries: { name: string; type?: string; mode?: number; data?: string }[]): Buffer {
  const blocks: Buffer[] = [];
  const header = (name: string, type: string, mode: number, size: number) => {
    const h = Buffer.alloc(512);
    h.write(name.slice(0, 100), 0);
    h.write(`${mode.toString(8).padStart(7, "0")}\0`, 100);
    h.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
    h.write(type, 156);
    h.write("ustar\0" + "00", 257);
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const byte of h) sum += byte;
    h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    return h;
  };
  const pad = (data: Buffer) => Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
  for (const { name, type = "0", mode = 0o644, data = "" } of entries) {
    if (name.length > 100) {
      const record = ` path=${name}\n`;
      const length = record.length + String(record.length + 3).length;
      const pax = Buffer.from(`${length}${record}`);
      blocks.push(header("PaxHeader", "x", 0o644, pax.length), pad(pax));
    }
    const body = Buffer.from(data);
    blocks.push(header(name, type, mode, body.length), pad(body));
  }
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

/** The entries of a zip's central directory: name, unix mode, DOS time and date, method. */
function zipEntries(zip: Buffer) {
  const end = zip.length - 22;
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const found = [];
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    found.push({
      name: zip.subarray(at + 46, at + 46 + nameLength).toString(),
      mode: (zip.readUInt32LE(at + 38) >>> 16).toString(8),
      time: zip.readUInt16LE(at + 12),
      date: zip.readUInt16LE(at + 14),
      method: zip.readUInt16LE(at + 10),
    });
    at += 46 + nameLength;
  }
  return found;
}

describe("tarballToZip (yarn-zip.cjs)", () => {
  test("entries below node_modules/NAME in the tarball's order, parents first, 644 or 755, yarn's time, stored", () => {
    const long = `package/${"d/".repeat(60)}deep.js`;
    const zip = tarballToZip(
      gzipSync(
        tarOf([
          { name: "package/package.json", data: "{}" },
          { name: "package/bin/cli.js", mode: 0o755, data: "#!/usr/bin/env node\n" },
          { name: "package/../escape.js", data: "x" },
          { name: "/etc/passwd", data: "x" },
          { name: "package", type: "5", mode: 0o755 },
          { name: long, data: "deep" },
        ]),
      ),
      "@scope/pkg",
    );
    const entries = zipEntries(zip);
    expect(entries.slice(0, 6).map((e) => [e.name, e.mode])).toEqual([
      ["node_modules/", "40755"],
      ["node_modules/@scope/", "40755"],
      ["node_modules/@scope/pkg/", "40755"],
      ["node_modules/@scope/pkg/package.json", "100644"],
      ["node_modules/@scope/pkg/bin/", "40755"],
      ["node_modules/@scope/pkg/bin/cli.js", "100755"],
    ]);
    expect(entries.at(-1)!.name).toBe(`node_modules/@scope/pkg/${"d/".repeat(60)}deep.js`);
    expect(entries.some((e) => e.name.includes("escape") || e.name.includes("passwd"))).toBe(false);
    expect(new Set(entries.map((e) => `${e.time} ${e.date} ${e.method}`))).toEqual(new Set(["44608 2262 0"]));
  });
});
