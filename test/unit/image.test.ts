import fc from "fast-check";
import { createHash } from "node:crypto";
import { describe, expect, test } from "vitest";
import { canonicalJson } from "../../src/image/json.js";
import { planLayers, SMALL_PATH_BYTES, type ClosurePath } from "../../src/image/layers.js";
import { tarStream, type TarEntry } from "../../src/image/tar.js";
import { parseUser, passwdFiles } from "../../src/image/users.js";

async function tarBytes(entries: TarEntry[]): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of tarStream(entries, { mtime: 1 })) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const sample: TarEntry[] = [
  { type: "dir", path: "nix", mode: 0o555 },
  { type: "file", path: "nix/hello.txt", mode: 0o444, size: 6, content: () => [Buffer.from("hello\n")] },
  { type: "symlink", path: "nix/link", target: "hello.txt" },
];

describe("tar writer", () => {
  test("golden bytes: the same entries always give this exact stream", async () => {
    const bytes = await tarBytes(sample);
    expect(bytes.length).toBe(512 * 6);
    expect(createHash("sha256").update(bytes).digest("hex")).toMatchInlineSnapshot(
      `"a8a303ea4d421a9e21775bb0e79f1364e40ebc39d5b637de7575a338d7b7e1f7"`,
    );
  });

  test("headers: uid/gid 0, mtime 1, ustar magic, symlinks 0777, directories with a slash", async () => {
    const bytes = await tarBytes(sample);
    const field = (block: number, offset: number, length: number) =>
      bytes
        .subarray(block * 512 + offset, block * 512 + offset + length)
        .toString("latin1")
        .replace(/\0.*$/s, "");
    expect(field(0, 0, 100)).toBe("nix/");
    expect(field(0, 100, 8)).toBe("0000555");
    expect(field(0, 108, 8)).toBe("0000000");
    expect(field(0, 136, 12)).toBe("00000000001");
    expect(field(0, 257, 6)).toBe("ustar");
    expect(field(3, 100, 8)).toBe("0000777");
    expect(field(3, 157, 100)).toBe("hello.txt");
  });

  test("long and non-ASCII names go in a PAX record", async () => {
    const name = `nix/${"a".repeat(120)}/ünï`;
    const bytes = await tarBytes([{ type: "file", path: name, mode: 0o444, size: 0, content: () => [] }]);
    expect(bytes.subarray(156, 157).toString()).toBe("x");
    expect(bytes.subarray(512, 1024).toString("utf8")).toContain(` path=${name}\n`);
  });

  test("a file that changes size while read is an error, not a corrupt layer", async () => {
    await expect(tarBytes([{ type: "file", path: "f", mode: 0o444, size: 10, content: () => [Buffer.from("short")] }])).rejects.toThrow(
      /changed while it was read/,
    );
  });
});

const closureArb = fc
  .uniqueArray(fc.stringMatching(/^[a-z]{1,8}$/), { minLength: 1, maxLength: 60 })
  .chain((names) =>
    fc.tuple(
      fc.constant(names),
      fc.array(fc.integer({ min: 1, max: 4 * SMALL_PATH_BYTES }), { minLength: names.length, maxLength: names.length }),
      fc.array(fc.array(fc.nat({ max: names.length - 1 }), { maxLength: 5 }), { minLength: names.length, maxLength: names.length }),
    ),
  )
  .map(([names, sizes, refs]) =>
    names.map((name, i): ClosurePath => ({
      path: `/nix/store/${String(i).padStart(32, "0")}-${name}`,
      narHash: `sha256-${i}`,
      narSize: sizes[i]!,
      references: refs[i]!.map((r) => `/nix/store/${String(r).padStart(32, "0")}-${names[r]}`),
    })),
  );

describe("layer planning", () => {
  test("every path in exactly one layer, within the budget, whatever the input order", () => {
    fc.assert(
      fc.property(closureArb, fc.integer({ min: 1, max: 30 }), (closure, budget) => {
        const layers = planLayers(closure, budget);
        const placed = layers.flatMap((l) => l.paths).sort();
        expect(placed).toEqual(closure.map((c) => c.path).sort());
        expect(layers.length).toBeLessThanOrEqual(budget);
        expect(planLayers([...closure].reverse(), budget)).toEqual(layers);
      }),
      { numRuns: 300 },
    );
  });

  test("the most depended-upon large path is at the bottom; small paths are merged", () => {
    const big = SMALL_PATH_BYTES * 10;
    const p = (name: string, size: number, refs: string[] = []): ClosurePath => ({
      path: `/nix/store/${name.padEnd(32, "0")}-${name}`,
      narHash: name,
      narSize: size,
      references: refs.map((r) => `/nix/store/${r.padEnd(32, "0")}-${r}`),
    });
    const closure = [p("app", big, ["libc", "tiny"]), p("libc", big), p("tool", big, ["libc"]), p("tiny", 10), p("tiny2", 20)];
    const layers = planLayers(closure, 10);
    expect(layers[0]!.paths[0]).toContain("-libc");
    expect(layers.at(-1)!.paths.map((x) => x.split("-").at(-1))).toEqual(["tiny", "tiny2"]);
  });
});

test("canonical JSON sorts keys at every level and drops undefined", () => {
  expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined, x: "é" }], c: null } })).toBe(
    '{"a":{"c":null,"d":[2,{"x":"é","z":1}]},"b":1}',
  );
});

test("users: numeric or declared, and the passwd/group files for them", () => {
  expect(parseUser("1000:100")).toEqual({ uid: 1000, gid: 100, config: "1000:100" });
  expect(parseUser("1000")).toEqual({ uid: 1000, gid: 1000, config: "1000:1000" });
  expect(parseUser("nobody")).toEqual({ uid: 65534, gid: 65534, config: "nobody" });
  expect(parseUser("app")).toBeUndefined();
  expect(passwdFiles({ uid: 1000, gid: 100, config: "" })).toEqual({
    passwd:
      "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/var/empty:/sbin/nologin\napp:x:1000:100:app:/:/sbin/nologin\n",
    group: "root:x:0:\nnobody:x:65534:\napp:x:100:\n",
  });
});
