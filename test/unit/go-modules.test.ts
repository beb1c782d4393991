// Go modules as nixkit reads them (src/go/modules.ts): go.sum, the proxy's path escaping, Go's
// dirhash h1:, the lines flake.nix records and reads back; and go test -json as JUnit.
import { deflateRawSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { escapeModulePath, hash1, parseGoSum, recordedModules, zipFiles } from "../../src/go/modules.js";
import { goTestJsonToJUnit, isGoTestJson } from "../../src/test-runner/go-test-json.js";

/** A zip archive of deflated entries, as a module proxy serves them. */
function zip(files: [string, string][]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of files) {
    const data = deflateRawSync(Buffer.from(text));
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(text.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(text.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    central.push(entry, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const centralBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralBytes, end]);
}

describe("go.sum and the module proxy", () => {
  test("go.sum's lines by module, its zip and go.mod hashes; a line that is not go.sum's at its line", () => {
    const entries = parseGoSum(
      "github.com/google/uuid v1.6.0 h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=\ngithub.com/google/uuid v1.6.0/go.mod h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=\ngopkg.in/check.v1 v0.0.0-20161208181325-20d25e280405/go.mod h1:Co6ibVJAznAaIkqp8huTwlJQCZ016jof/cbN4VW5Yz0=\n",
      "go.sum",
    );
    expect(entries).toEqual([
      {
        path: "github.com/google/uuid",
        version: "v1.6.0",
        zip: "h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=",
        mod: "h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=",
      },
      { path: "gopkg.in/check.v1", version: "v0.0.0-20161208181325-20d25e280405", mod: "h1:Co6ibVJAznAaIkqp8huTwlJQCZ016jof/cbN4VW5Yz0=" },
    ]);
    expect(() => parseGoSum("github.com/a v1.0.0 h1:x\n", "go.sum")).toThrow(/^go\.sum:1:1: not a go\.sum line/);
  });

  test("Go's dirhash: a go.mod as go.sum records it; a zip's files by their names", () => {
    // uuid v1.6.0's go.mod, whose h1: the fixture's go.sum has.
    expect(hash1([["go.mod", Buffer.from("module github.com/google/uuid\n")]])).toBe("h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=");
    const files: [string, string][] = [
      ["m.example/x@v1.0.0/x.go", "package x\n"],
      ["m.example/x@v1.0.0/go.mod", "module m.example/x\n"],
    ];
    const read = zipFiles(zip(files));
    expect(read.map(([name, bytes]) => [name, bytes.toString()])).toEqual(files);
    expect(hash1(read)).toBe(
      hash1(
        files
          .slice()
          .reverse()
          .map(([n, t]) => [n, Buffer.from(t)]),
      ),
    );
  });

  test("the proxy's escaping and the lines flake.nix records, read back with the hashes they were checked against", () => {
    expect(escapeModulePath("github.com/BurntSushi/toml")).toBe("github.com/!burnt!sushi/toml");
    const line = "github.com/google/uuid v1.6.0 sha256-AAAA sha256-BBBB h1:zip= h1:mod=";
    const known = recordedModules(
      `  goModules = { "." = { modules = [ "${line}" "gopkg.in/check.v1 v0.0.0-1 - sha256-CCCC - h1:m=" ]; }; };`,
    );
    expect(known.get("github.com/google/uuid v1.6.0")).toEqual({ line, h1: "h1:zip= h1:mod=" });
    expect(known.get("gopkg.in/check.v1 v0.0.0-1")?.h1).toBe("- h1:m=");
  });
});

describe("go test -json as JUnit", () => {
  const events = [
    { Action: "start", Package: "m/x" },
    { Action: "run", Package: "m/x", Test: "TestA" },
    { Action: "output", Package: "m/x", Test: "TestA", Output: "=== RUN   TestA\n" },
    { Action: "pass", Package: "m/x", Test: "TestA", Elapsed: 0.01 },
    { Action: "run", Package: "m/x", Test: "TestB/sub" },
    { Action: "output", Package: "m/x", Test: "TestB/sub", Output: "    x_test.go:9: broken <on> purpose\n" },
    { Action: "fail", Package: "m/x", Test: "TestB/sub", Elapsed: 0 },
    { Action: "skip", Package: "m/x", Test: "TestC", Elapsed: 0 },
    { Action: "fail", Package: "m/x", Elapsed: 0.2 },
    { Action: "output", Package: "m/broken", Output: "m/broken/y.go:3: undefined: z\n" },
    { Action: "fail", Package: "m/broken", Elapsed: 0 },
  ];
  const text = events.map((e) => JSON.stringify(e)).join("\n") + "\n";

  test("a suite per package, a case per test and subtest, the output of a failing one, a package that did not build as a failed case", () => {
    expect(isGoTestJson(text)).toBe(true);
    expect(isGoTestJson("<testsuites/>")).toBe(false);
    const xml = goTestJsonToJUnit(text);
    expect(xml).toContain('<testsuite name="m/x" tests="3" failures="1" errors="0" skipped="1" time="0.200">');
    expect(xml).toContain('<testcase classname="m/x" name="TestA" time="0.010"/>');
    expect(xml).toMatch(
      /<testcase classname="m\/x" name="TestB\/sub"[^>]*>\s*<failure message="TestB\/sub failed" type="failure"> {4}x_test.go:9: broken &lt;on&gt; purpose/,
    );
    expect(xml).toContain('<testsuite name="m/broken" tests="1" failures="1"');
    expect(xml).toContain("undefined: z");
  });
});
