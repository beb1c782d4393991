import { describe, expect, test } from "vitest";
import { nixAttrName, nixString, toNix } from "../../src/generate/to-nix.js";

describe("nixString", () => {
  test.each([
    ["plain", '"plain"'],
    ["${x}", '"\\${x}"'],
    ["$", '"\\$"'],
    ["''", "\"''\""],
    ['a"b', '"a\\"b"'],
    ["back\\slash", '"back\\\\slash"'],
    ["line\nbreak\r\ttab", '"line\\nbreak\\r\\ttab"'],
    ["ünïcødé ✓", '"ünïcødé ✓"'],
  ])("%j", (input, expected) => {
    expect(nixString(input)).toBe(expected);
  });

  test("refuses NUL, which Nix strings cannot hold", () => {
    expect(() => nixString("a\0b")).toThrow(/NUL/);
  });
});

describe("nixAttrName", () => {
  test.each([
    ["plain", "plain"],
    ["with-dash_and'quote", "with-dash_and'quote"],
    ["if", '"if"'],
    ["inherit", '"inherit"'],
    ["1abc", '"1abc"'],
    ["a b", '"a b"'],
    ["", '""'],
    ["${x}", '"\\${x}"'],
  ])("%j", (input, expected) => {
    expect(nixAttrName(input)).toBe(expected);
  });
});

test("toNix renders short data inline and long data indented, keys sorted", () => {
  expect(toNix({ b: [1, true, null], a: { "x y": "z" }, c: [], d: {} })).toBe(
    '{ a = { "x y" = "z"; }; b = [ 1 true null ]; c = [ ]; d = { }; }',
  );
  expect(toNix({ long: "x".repeat(95), list: ["y".repeat(60), "z".repeat(60)] })).toBe(
    ["{", `  list = [`, `    "${"y".repeat(60)}"`, `    "${"z".repeat(60)}"`, "  ];", `  long = "${"x".repeat(95)}";`, "}"].join("\n"),
  );
});

test("toNix refuses numbers Nix would read differently", () => {
  expect(() => toNix(1.5)).toThrow();
  expect(() => toNix(2 ** 60)).toThrow();
});
