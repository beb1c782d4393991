// `nixkit test` with real Nix: pass, fail and error; reports out of a failing test; the merged
// JUnit report against the JUnit XSD; cached vs ran; --rerun; needs; network isolation; GC roots.
import { execa } from "execa";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { stringify } from "yaml";
import { describe, expect, test } from "vitest";
import { nix, nixkit, tempDir, writeTree, versioned } from "../helpers.js";
import { offlinePkgs } from "./project.js";

// Part of every test's env here, so each run of this file starts with results nobody has built.
const RUN_ID = `${process.pid}-${Date.now()}`;

interface JsonResult {
  name: string;
  status: string;
  cached: boolean;
  differs: boolean;
  exitCode: number | null;
  reports: string[];
  error: string | null;
}

function project(manifest: Record<string, unknown>, files: Record<string, string> = {}): string {
  const dir = tempDir();
  writeTree(dir, {
    ...files,
    "nixkit.yaml": stringify({ version: 1, name: "t", systems: ["x86_64-linux"], inputs: { nixpkgs: offlinePkgs() }, ...manifest }),
  });
  return dir;
}

async function runTests(dir: string, args: string[] = []) {
  const result = await nixkit(["-C", dir, "--json", "test", ...args]);
  return { ...result, tests: (JSON.parse(result.stdout || '{"tests":[]}') as { tests: JsonResult[] }).tests };
}

const junitXsd = path.resolve(import.meta.dirname, "../../../shared/data/schemas/junit.xsd");

const suite = {
  builds: {
    base: { script: "mkdir -p $out; echo base > $out/value" },
    tool: {
      needs: ["base"],
      script:
        'mkdir -p $out/bin; printf "#!/bin/sh\\necho tool-from-%s\\n" "$(cat $NIXKIT_BUILD_base/value)" > $out/bin/tool; chmod +x $out/bin/tool',
    },
    broken: { script: 'echo "broken build output"; exit 9' },
  },
  tests: {
    passing: {
      needs: ["tool"],
      src: { include: ["tests/passing/**"] },
      env: { RUN_ID },
      script: 'test "$(tool)" = tool-from-base\ncp tests/passing/junit.xml $NIXKIT_REPORTS/junit.xml',
    },
    failing: {
      script:
        'echo "line one of the failing test"\nmkdir -p $NIXKIT_REPORTS/coverage\necho 87% > $NIXKIT_REPORTS/coverage/summary.txt\nprintf \'<testsuite name="f" tests="2"><testcase name="good" classname="f"/><testcase name="bad" classname="f"><failure message="expected 1">got 2</failure></testcase></testsuite>\' > $NIXKIT_REPORTS/junit.xml\nexit 3',
    },
    erroring: { needs: ["broken"], script: "echo never runs" },
  },
};
const suiteFiles = {
  "tests/passing/junit.xml":
    '<?xml version="1.0"?><testsuites><testsuite name="p" tests="1"><testcase name="ok" classname="p" time="0.5"/></testsuite></testsuites>',
};

describe("nixkit test", () => {
  test(
    versioned("pass, fail and error: summary, exit 1, full log of the failure, reports out of a failing test", "internal-json build logs"),
    async () => {
      const dir = project(suite, suiteFiles);
      const junit = path.join(dir, "junit.xml");
      const result = await runTests(dir, ["--junit", junit]);
      expect(result.exitCode).toBe(1);
      const byName = Object.fromEntries(result.tests.map((t) => [t.name, t]));
      expect(byName.passing).toMatchObject({ status: "pass", cached: false, exitCode: 0 });
      expect(byName.failing).toMatchObject({ status: "fail", exitCode: 3 });
      expect(byName.erroring).toMatchObject({ status: "error", error: "could not run: broken failed to build" });
      expect(byName.failing!.reports.map((r) => path.basename(r)).sort()).toEqual(["junit.xml", "summary.txt"]);
      expect(
        readFileSync(
          byName.failing!.reports.find((r) => r.endsWith("summary.txt"))!,
          "utf8",
        ),
      ).toBe("87%\n");
      expect(result.stderr).toContain("test failing failed (exit 3); its full log:");
      expect(result.stderr).toContain("  line one of the failing test");
      expect(result.stderr).toContain("broken build output");

      const merged = readFileSync(junit, "utf8");
      expect(merged.match(/<testsuite /g)).toHaveLength(3);
      expect(merged).toContain('<failure message="expected 1" type="failure">got 2</failure>');
      expect(merged).toContain('<error message="the test could not run" type="nixkit">could not run: broken failed to build</error>');
      expect(merged).toContain('<testcase name="ok" classname="p" time="0.5"/>');
      if (!existsSync(junitXsd)) {
        if (process.env.CI) throw new Error(`${junitXsd} is missing`);
        console.warn(`skipping XSD validation: ${junitXsd} not found (../shared beside the checkout)`);
        return;
      }
      const lint = await execa("xmllint", ["--noout", "--schema", junitXsd, junit], { reject: false });
      expect(lint.exitCode, lint.stderr).toBe(0);
    },
  );

  test("an unchanged test is cached; changing one test's source runs only that test; results stay GC-rooted", async () => {
    const tests = Object.fromEntries(
      ["a", "b", "c"].map((n) => [
        n,
        { src: { include: [`t/${n}.txt`] }, env: { RUN_ID }, script: `cat t/${n}.txt > $NIXKIT_REPORTS/out.txt` },
      ]),
    );
    const dir = project({ tests }, { "t/a.txt": "a", "t/b.txt": "b", "t/c.txt": "c" });
    const first = await runTests(dir);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.tests.map((t) => t.cached)).toEqual([false, false, false]);
    expect((await nix(["store", "gc"], dir)).exitCode).toBe(0);
    const second = await runTests(dir);
    expect(second.tests.map((t) => t.cached)).toEqual([true, true, true]);
    writeFileSync(path.join(dir, "t/b.txt"), "b2");
    const third = await runTests(dir);
    expect(third.tests.map((t) => [t.name, t.cached])).toEqual([
      ["a", true],
      ["b", false],
      ["c", true],
    ]);
    expect(readFileSync(third.tests[1]!.reports[0]!, "utf8")).toBe("b2");
  });

  test("a no-op run asks Nix nothing; without the project's roots or the outputs, Nix is asked again", async () => {
    const dir = project(
      { tests: { only: { src: { include: ["t.txt"] }, env: { RUN_ID }, script: "cat t.txt > $NIXKIT_REPORTS/out.txt" } } },
      { "t.txt": "one" },
    );
    const nixCalls = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("$ nix "));
    expect((await runTests(dir)).exitCode).toBe(0);
    // The first run wrote flake.lock (an input of the evaluation) while Nix ran: not remembered.
    expect((await runTests(dir)).exitCode).toBe(0);
    const noop = await runTests(dir, ["-v"]);
    expect(noop.tests.map((t) => t.cached)).toEqual([true]);
    expect(nixCalls(noop.stderr)).toEqual([]);
    // Roots dropped: the memo is not enough (a GC could take the outputs), so nix builds and roots again.
    rmSync(path.join(dir, ".nixkit/cache/gcroots"), { recursive: true });
    const unrooted = await runTests(dir, ["-v"]);
    expect(unrooted.tests.map((t) => t.cached)).toEqual([true]);
    expect(nixCalls(unrooted.stderr).some((l) => l.includes(" build "))).toBe(true);
    // Roots and outputs gone: the test runs again.
    rmSync(path.join(dir, ".nixkit/cache/gcroots"), { recursive: true });
    expect((await nix(["store", "gc"], dir)).exitCode).toBe(0);
    const collected = await runTests(dir);
    expect(collected.tests.map((t) => t.cached)).toEqual([false]);
    // An edit is seen at once, however soon after the last run.
    writeFileSync(path.join(dir, "t.txt"), "two");
    const edited = await runTests(dir);
    expect(edited.tests.map((t) => t.cached)).toEqual([false]);
    expect(readFileSync(edited.tests[0]!.reports[0]!, "utf8")).toBe("two");
  });

  test(
    versioned("--rerun runs cached tests again and spots a result that differs", "--rebuild --keep-failed and its .check output"),
    async () => {
      const dir = project({
        tests: {
          steady: { env: { RUN_ID }, script: "echo same > $NIXKIT_REPORTS/r" },
          flaky: { env: { RUN_ID }, script: "echo $RANDOM$RANDOM > $NIXKIT_REPORTS/r" },
        },
      });
      const first = await runTests(dir);
      expect(first.tests.map((t) => t.cached)).toEqual([false, false]);
      const previous = readFileSync(first.tests[1]!.reports[0]!, "utf8");
      const rerun = await runTests(dir, ["--rerun"]);
      expect(rerun.exitCode, rerun.stderr).toBe(0);
      expect(rerun.tests.map((t) => [t.name, t.cached, t.differs])).toEqual([
        ["steady", false, false],
        ["flaky", false, true],
      ]);
      const fresh = rerun.tests.find((t) => t.name === "flaky")!;
      expect(fresh.reports[0]).toMatch(/\.check\/reports\/r$/);
      expect(readFileSync(fresh.reports[0]!, "utf8")).not.toBe(previous);
      expect(readFileSync(first.tests[1]!.reports[0]!, "utf8")).toBe(previous); // the old result is still there
    },
  );

  test(
    versioned("the sandbox has no network: a TCP connection to a local server fails in a test and works via nixkit run", "the sandbox"),
    async () => {
      const server = createServer((socket) => socket.end("hello\n"));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as { port: number }).port;
      try {
        const connect = `echo ping | nc -w 3 127.0.0.1 ${port}`;
        const dir = project({ shell: { packages: ["busybox"] }, tests: { network: { packages: ["busybox"], script: connect } } });
        const inSandbox = await runTests(dir);
        expect(inSandbox.tests[0]).toMatchObject({ name: "network", status: "fail" });
        const onHost = await nixkit(["-C", dir, "run", "--", "sh", "-c", connect]);
        expect(onHost.exitCode, onHost.stderr).toBe(0);
        expect(onHost.stdout).toBe("hello");
      } finally {
        server.close();
      }
    },
  );

  test("a needed build whose output is one file is handed over as data, never run as shell", async () => {
    // nixpkgs' setup.sh sources every input that is a file; a needed build is not an input.
    const payload = "echo SOURCED-AS-SHELL >&2; exit 7";
    const dir = project({
      builds: { data: { script: `printf '%s' ${JSON.stringify(payload)} > $out` } },
      tests: { reads: { needs: ["data"], env: { RUN_ID }, script: `test "$(cat $NIXKIT_BUILD_data)" = ${JSON.stringify(payload)}` } },
    });
    const result = await runTests(dir);
    expect(result.stderr).not.toContain("SOURCED-AS-SHELL");
    expect(result.tests.map((t) => [t.name, t.status])).toEqual([["reads", "pass"]]);
    expect(result.exitCode, result.stderr).toBe(0);
  });

  test("bad input: an unknown test name is exit 2 and names the tests", async () => {
    const dir = project(suite, suiteFiles);
    const result = await nixkit(["-C", dir, "test", "nosuch"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('no test named "nosuch" in nixkit.yaml (tests: passing, failing, erroring)');
  });
});
