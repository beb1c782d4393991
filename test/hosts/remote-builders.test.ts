// Remote builders on a real second host: a network namespace with its own /nix and sshd, reached
// with ssh-ng. Builds and tests are dispatched there (-j 0: nothing is built here), their results
// come back the same as a local run's, and a builder that is down, dies mid-build or lacks the
// system is a clear, recoverable event.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { nixkit, versioned } from "../helpers.js";
import { builderStore, startBuilderHost, type BuilderHost } from "./builder-host.js";
import { editFile, exampleProject } from "../e2e/project.js";

let host: BuilderHost;
beforeAll(async () => {
  host = await startBuilderHost();
});
afterAll(async () => {
  await host?.stop();
});

/** The example with builds and a test of its own (new to both stores). */
function uniqueExample(extra = ""): string {
  const dir = exampleProject();
  const stamp = `${process.pid}-${Date.now()}-${Math.random()}`;
  editFile(
    path.join(dir, "nixkit.yaml"),
    (t) => t.replace('chmod +x "$out/bin/greet"', `chmod +x "$out/bin/greet"\n      echo ${stamp} > "$out/share/greet/stamp"`) + extra,
  );
  return dir;
}
const storeName = (p: string) => path.basename(p);

describe(versioned("builds and tests run on the builder", "the ssh-ng protocol between two Nix of one version, and machines files"), () => {
  test("nixkit build -j 0 --builders: built in the builder's store, copied back, nothing built here", async () => {
    const dir = uniqueExample();
    const result = await nixkit(["build", "-j", "0", "--builders", host.machine], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    const out = /^greet\s+(\/nix\/store\/\S+)/m.exec(result.stdout)![1]!;
    expect(existsSync(path.join(out, "bin/greet"))).toBe(true);
    expect(builderStore(host)).toContain(storeName(out));
  });

  test("ci.builders dispatches nixkit test; the report is the one a local run gives", async () => {
    const dir = uniqueExample();
    editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace(/^ci:\n/m, `ci:\n  builders: [${JSON.stringify(host.machine)}]\n`));
    const remote = await nixkit(["test", "-j", "0"], { cwd: dir });
    expect(remote.exitCode, remote.stderr).toBe(0);
    const report = /(\/nix\/store\/[^/\s]+)\/reports/.exec(remote.stdout)![1]!;
    expect(builderStore(host)).toContain(storeName(report));
    expect(readFileSync(path.join(report, "reports/junit.xml"), "utf8")).toContain("<testsuite");
    // The same test run locally is the same store path (cached: nothing ran).
    const local = await nixkit(["test", "--builders", ""], { cwd: dir });
    expect(local.exitCode, local.stderr).toBe(0);
    expect(local.stdout).toContain(report);
    expect(local.stdout).toMatch(/cached/);
  });

  test("nixkit ci --stages build,test -j 0 with the builder passes", async () => {
    const dir = uniqueExample();
    expect((await nixkit(["generate"], { cwd: dir })).exitCode).toBe(0);
    const result = await nixkit(["ci", "--stages", "build,test", "-j", "0", "--builders", host.machine], { cwd: dir });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/build\s+greet\s+PASSED/i);
  });
});

describe("a builder that fails", () => {
  test(
    versioned("unreachable at start: exit 3 naming it; --fallback-local builds here instead", "nix store ping/info's error text"),
    async () => {
      const dir = uniqueExample();
      const dead = host.machine.replace(host.address, host.address.replace(/\.2$/, ".3"));
      const stopped = await nixkit(["build", "-j", "0", "--builders", dead], { cwd: dir });
      expect(stopped.exitCode).toBe(3);
      expect(stopped.stderr).toMatch(
        /the remote builder ssh-ng:\/\/root@10\.231\.\d+\.3 \(.+\) cannot be reached; check it with `nixkit doctor`, or pass --fallback-local/,
      );
      const local = await nixkit(["build", "-j", "0", "--builders", dead, "--fallback-local"], { cwd: dir });
      expect(local.exitCode, local.stderr).toBe(0);
      expect(local.stderr).toMatch(/cannot be reached; building here instead \(--fallback-local\)/);
    },
    60_000,
  );

  test("doctor checks each of ci.builders: PASS when it answers, FAIL naming it with the fix when not", async () => {
    const dir = uniqueExample();
    const dead = host.machine.replace(host.address, host.address.replace(/\.2$/, ".3"));
    editFile(path.join(dir, "nixkit.yaml"), (t) =>
      t.replace(/^ci:\n/m, `ci:\n  builders: [${JSON.stringify(host.machine)}, ${JSON.stringify(dead)}]\n`),
    );
    const result = await nixkit(["doctor"], { cwd: dir });
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toMatch(new RegExp(`PASS\\s+builder\\s+ssh-ng://root@${host.address.replaceAll(".", "\\.")} answers`));
    expect(result.stdout).toMatch(/FAIL\s+builder\s+ssh-ng:\/\/root@10\.231\.\d+\.3 cannot be reached: .+\n\s+fix: check that `ssh -i /);
  }, 60_000);

  test("-j 0 without a builder is refused (exit 2)", async () => {
    const result = await nixkit(["build", "-j", "0"], { cwd: uniqueExample() });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("-j 0 builds nothing here, so it needs remote builders");
  });

  test(versioned("a builder that lacks the system: Nix's refusal, made clear", "Nix's refusal text"), async () => {
    const dir = uniqueExample();
    const wrongSystem = host.machine.replace(/ x86_64-linux /, " riscv64-linux ");
    const result = await nixkit(["build", "-j", "0", "--builders", wrongSystem], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/no remote builder takes x86_64-linux builds/);
  });

  test("killed in the middle of a build: nixkit stops, naming the builder, with no output left half-copied", async () => {
    const dir = uniqueExample();
    editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace('mkdir -p "$out/bin"', 'sleep 6\n      mkdir -p "$out/bin"'));
    const started = Date.now();
    const build = nixkit(["build", "-j", "0", "--builders", host.machine], { cwd: dir });
    await new Promise((r) => setTimeout(r, 2500));
    await host.kill();
    const result = await build;
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`was building on the remote builder ssh-ng://root@${host.address.replaceAll(".", "\\.")}`));
    expect(existsSync(path.join(dir, "result-greet"))).toBe(false);
  }, 60_000);
});
