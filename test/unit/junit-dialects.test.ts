// The merged JUnit report keeps every case real runners write (test/fixtures/junit: node:test,
// vitest, jest-junit, mocha-junit-reporter, tap, pytest, go-junit-report, Surefire), at any depth,
// with its outcome; its counts equal the reports' own, and it validates against the Ant schema.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { XMLParser } from "fast-xml-parser";
import { describe, expect, test } from "vitest";
import { mergeJUnit } from "../../src/test-runner/junit.js";
import { repoRoot, sharedFile, tempDir } from "../helpers.js";

const fixture = (name: string) => readFileSync(path.join(repoRoot, "test/fixtures/junit", name), "utf8");

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function merged(reports: string[], status: "pass" | "fail" = "fail"): { xml: string; counts: Counts; names: string[] } {
  const xml = mergeJUnit([{ test: "unit", status, reports, logTail: "", seconds: 1 }]);
  const doc = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "",
    isArray: (n) => n === "testsuite" || n === "testcase",
  }).parse(xml);
  const suites = doc.testsuites.testsuite as (Record<string, string> & { testcase?: { name: string }[] })[];
  const sum = (key: string) => suites.reduce((n, s) => n + Number(s[key]), 0);
  return {
    xml,
    counts: { tests: sum("tests"), failures: sum("failures"), errors: sum("errors"), skipped: sum("skipped") },
    names: suites.flatMap((s) => (s.testcase ?? []).map((c) => `${s.name} :: ${c.name}`)),
  };
}

describe("every dialect's cases, counted as the report counts them", () => {
  test.each([
    ["node-test.xml", { tests: 6, failures: 2, errors: 0, skipped: 1 }],
    ["vitest.xml", { tests: 6, failures: 2, errors: 0, skipped: 1 }],
    ["jest.xml", { tests: 6, failures: 2, errors: 0, skipped: 1 }],
    // mocha-junit-reporter leaves pending tests out of its cases.
    ["mocha.xml", { tests: 5, failures: 2, errors: 0, skipped: 0 }],
    // tap: every assertion and subtest is a case; a skip is a `skip` property of its case.
    ["tap.xml", { tests: 13, failures: 6, errors: 0, skipped: 1 }],
    ["pytest.xml", { tests: 7, failures: 1, errors: 1, skipped: 1 }],
    ["go.xml", { tests: 8, failures: 4, errors: 0, skipped: 1 }],
  ])("%s", (name, counts) => {
    expect(merged([fixture(name)]).counts).toEqual(counts);
  });

  test("Surefire's two reports of one class: the nested one's cases, the outer one's properties", () => {
    const { counts, xml } = merged([fixture("surefire.xml"), fixture("surefire-nested.xml")]);
    expect(counts).toEqual({ tests: 7, failures: 1, errors: 1, skipped: 1 });
    expect(xml).toContain('<property name="java.specification.version" value="17"/>');
  });

  test("node:test: top-level tests are kept (not one made-up case), nested suites are named by their path", () => {
    const { names } = merged([fixture("node-test.xml")]);
    expect(names).toEqual([
      "unit :: adds",
      "unit :: fails",
      "math :: multiplies",
      "math :: later",
      "math > nested :: deep",
      "math > nested :: deep fail",
    ]);
  });

  test("pytest: a case's properties and output are kept in its suite, prefixed with the case", () => {
    const { xml } = merged([fixture("pytest.xml")]);
    expect(xml).toContain('<property name="test_two: fixture" value="2"/>');
  });

  test("the merged report of all of them validates against the Ant JUnit schema", () => {
    const xsd = sharedFile("data/schemas/junit.xsd");
    if (!xsd) return;
    const names = [
      "node-test.xml",
      "vitest.xml",
      "jest.xml",
      "mocha.xml",
      "tap.xml",
      "pytest.xml",
      "go.xml",
      "surefire.xml",
      "surefire-nested.xml",
    ];
    const file = path.join(tempDir(), "merged.xml");
    writeFileSync(file, merged(names.map(fixture)).xml);
    expect(() => execFileSync("xmllint", ["--noout", "--schema", xsd, file], { stdio: "pipe" })).not.toThrow();
  });
});
