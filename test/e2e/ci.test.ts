// nixkit ci and the generated pipelines, with real Nix: stage order, stop on failure, report
// and JUnit contents, freshness, the providers' schemas, JSON-lines events, and the generated
// GitHub workflow's run: steps executed here in order giving the same result as `nixkit ci`.
import { validateWorkflow } from "@action-validator/core";
import { Ajv } from "ajv";
import { execa } from "execa";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { describe, expect, test } from "vitest";
import { cliPath, nixEnv, nixkit, tempDir, versioned } from "../helpers.js";
import { editFile, exampleProject } from "./project.js";

const gitlabSchema = path.resolve(import.meta.dirname, "../../../shared/data/schemas/gitlab-ci.schema.json");

interface Report {
  schemaVersion: number;
  status: string;
  stages: { stage: string; status: string }[];
  jobs: { stage: string; name: string; status: string; cached: boolean; storePaths: string[]; digest?: string }[];
}

async function ready(name: string) {
  const dir = exampleProject(name);
  expect((await nixkit(["-C", dir, "generate"])).exitCode).toBe(0);
  expect((await nixkit(["-C", dir, "lock"])).exitCode).toBe(0);
  expect((await nixkit(["-C", dir, "ci", "generate"])).exitCode).toBe(0);
  return dir;
}

async function ci(dir: string, args: string[] = []) {
  const reportFile = path.join(tempDir(), "report.json");
  const result = await nixkit(["-C", dir, "ci", "--report", reportFile, ...args]);
  if (!existsSync(reportFile)) throw new Error(`no report: exit ${result.exitCode}: ${result.stderr}`);
  return { ...result, report: JSON.parse(readFileSync(reportFile, "utf8")) as Report };
}

describe("nixkit ci", () => {
  test(
    versioned(
      "examples/hello: every stage in order, a report with store paths and digests, cached on the second run",
      "flake metadata's lock check, build --json and internal-json's ran/cached",
    ),
    async () => {
      const dir = await ready("hello");
      const junit = path.join(tempDir(), "junit.xml");
      const first = await ci(dir, ["--junit", junit]);
      expect(first.exitCode, first.stderr).toBe(0);
      expect(first.report).toMatchObject({ schemaVersion: 1, status: "passed" });
      expect(first.report.stages.map((s) => s.stage)).toEqual(["check", "build", "test", "image"]);
      expect(first.report.jobs.map((j) => `${j.stage}/${j.name}`)).toEqual([
        "check/generated-files",
        "check/flake-lock",
        "build/greet",
        "test/unit",
        "image/greeter",
      ]);
      expect(first.report.jobs.find((j) => j.name === "greet")!.storePaths[0]).toMatch(/^\/nix\/store\/[0-9a-z]{32}-greet$/);
      expect(first.report.jobs.find((j) => j.name === "greeter")!.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(readFileSync(junit, "utf8")).toContain('<testcase name="one name" classname="greet"');
      const second = await ci(dir);
      expect(second.report.jobs.filter((j) => j.stage === "build" || j.stage === "test").map((j) => j.cached)).toEqual([true, true]);
    },
  );

  test("a failing test stops the pipeline after its stage; --keep-going runs the rest", async () => {
    const dir = await ready("failing-test");
    const stopped = await ci(dir);
    expect(stopped.exitCode).toBe(1);
    const status = (r: Report) => Object.fromEntries(r.jobs.map((j) => [`${j.stage}/${j.name}`, j.status]));
    expect(status(stopped.report)).toEqual({
      "check/generated-files": "passed",
      "check/flake-lock": "passed",
      "build/calc": "passed",
      "test/sums": "passed",
      "test/wrong": "failed",
      "image/calc": "skipped",
    });
    expect(stopped.report.stages.map((s) => s.status)).toEqual(["passed", "passed", "failed", "skipped"]);
    expect(stopped.stderr).toContain("the pipeline failed: test/wrong");
    const going = await ci(dir, ["--keep-going"]);
    expect(going.exitCode).toBe(1);
    expect(status(going.report)["image/calc"]).toBe("passed");
  });

  test("a failing build fails its own job; the other builds of the stage pass and are rooted", async () => {
    const dir = exampleProject("failing-test");
    editFile(path.join(dir, "nixkit.yaml"), (t) =>
      t.replace("tests:\n", "  broken:\n    script: echo 'no output here' >&2; exit 3\n\ntests:\n"),
    );
    expect((await nixkit(["-C", dir, "generate"])).exitCode).toBe(0);
    const result = await ci(dir, ["--stages", "build"]);
    expect(result.exitCode).toBe(1);
    const jobs = Object.fromEntries(result.report.jobs.map((j) => [j.name, j]));
    expect(jobs.calc).toMatchObject({ status: "passed" });
    expect(jobs.calc!.storePaths[0]).toMatch(/^\/nix\/store\/[0-9a-z]{32}-calc$/);
    expect(jobs.broken).toMatchObject({ status: "failed", storePaths: [], detail: "the build failed (its log is above)" });
    expect(result.stderr).toContain("no output here");
    expect(existsSync(path.join(dir, "result-calc"))).toBe(true);
    expect(existsSync(path.join(dir, "result-broken"))).toBe(false);
  });

  test("the check stage fails when nixkit.yaml changed and the generated files were not regenerated", async () => {
    const dir = await ready("hello");
    editFile(path.join(dir, "nixkit.yaml"), (t) => t.replace("GREETING: Hello", "GREETING: Howdy"));
    const result = await ci(dir, ["--stages", "check"]);
    expect(result.exitCode).toBe(1);
    expect(result.report.jobs[0]).toMatchObject({ name: "generated-files", status: "failed" });
    expect((result.report.jobs[0] as { detail?: string }).detail).toContain("flake.nix");
    expect((await nixkit(["-C", dir, "ci", "generate", "--check"])).exitCode).toBe(0); // CI files did not change
  });

  test("--json prints progress events as JSON lines", async () => {
    const dir = await ready("hello");
    const result = await nixkit(["-C", dir, "--json", "ci", "--stages", "check,build"]);
    expect(result.exitCode, result.stderr).toBe(0);
    const events = result.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event: string; stage?: string; status?: string; name?: string });
    expect(events.map((e) => `${e.event}:${e.stage ?? ""}:${e.name ?? e.status}`)).toEqual([
      "stage:check:started",
      "job:check:generated-files",
      "job:check:flake-lock",
      "stage:check:passed",
      "stage:build:started",
      "job:build:greet",
      "stage:build:passed",
      "pipeline::passed",
    ]);
  });

  test("ci.builders becomes a machines file; one that cannot be reached stops the run unless --fallback-local", async () => {
    const dir = await ready("hello");
    editFile(path.join(dir, "nixkit.yaml"), (t) =>
      t.replace("ci:\n  providers", "ci:\n  builders: ['ssh-ng://builder.invalid x86_64-linux - 4']\n  providers"),
    );
    await nixkit(["-C", dir, "generate"]);
    await nixkit(["-C", dir, "ci", "generate"]);
    const stopped = await nixkit(["-C", dir, "ci", "--stages", "build"]);
    expect(stopped.exitCode).toBe(3);
    expect(stopped.stderr).toMatch(/the remote builder ssh-ng:\/\/builder\.invalid \(.+\) cannot be reached/);
    expect(readFileSync(path.join(dir, ".nixkit/cache/machines"), "utf8")).toBe("ssh-ng://builder.invalid x86_64-linux - 4\n");
    const local = await nixkit(["-C", dir, "ci", "--stages", "build", "--fallback-local"]);
    expect(local.exitCode, local.stderr).toBe(0);
    expect(local.stderr).toContain("building here instead (--fallback-local)");
  });
});

describe("generated pipelines", () => {
  test("the GitHub workflow is valid (action-validator) and idiomatic; the GitLab file matches GitLab's schema", async () => {
    const dir = await ready("hello");
    const workflowText = readFileSync(path.join(dir, ".github/workflows/nixkit.yml"), "utf8");
    expect(validateWorkflow(workflowText).errors).toEqual([]);
    const workflow = parse(workflowText);
    expect(workflow.permissions).toEqual({ contents: "read" });
    expect(workflow.concurrency["cancel-in-progress"]).toBe(true);
    const uses = Object.values(workflow.jobs as Record<string, { steps: { uses?: string }[] }>).flatMap((j) =>
      j.steps.map((s) => s.uses).filter(Boolean),
    ) as string[];
    for (const action of uses) expect(action).toMatch(/@([0-9a-f]{40}|v\d+\.\d+\.\d+)$/); // pinned, never a moving major tag
    expect(Object.keys(workflow.jobs)).toEqual(["check", "build", "test", "image"]);
    expect(workflow.jobs.test.needs).toEqual(["build"]);

    const gitlab = parse(readFileSync(path.join(dir, ".gitlab-ci.yml"), "utf8"));
    expect(gitlab.stages).toEqual(["check", "build", "test", "image"]);
    expect(gitlab["nixkit-test"].artifacts.reports.junit).toBe("junit.xml");
    expect(gitlab["nixkit-test"].needs).toEqual(["nixkit-build"]);
    if (!existsSync(gitlabSchema)) {
      if (process.env.CI) throw new Error(`${gitlabSchema} is missing`);
      console.warn(`skipping the GitLab schema check: ${gitlabSchema} not found (../shared beside the checkout)`);
      return;
    }
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(JSON.parse(readFileSync(gitlabSchema, "utf8")));
    expect(validate(gitlab), JSON.stringify(validate.errors)).toBe(true);
  });

  test("push stages: the default branch only, with the signing key from a secret", async () => {
    const dir = await ready("hello");
    editFile(path.join(dir, "nixkit.yaml"), (t) =>
      t.replace(
        "ci:\n  providers",
        "cache:\n  url: https://cache.example.org\n  publicKeys: ['example:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=']\nci:\n  stages: [check, build, test, image, push]\n  registry: docker://registry.example.org/team\n  providers",
      ),
    );
    await nixkit(["-C", dir, "generate"]);
    expect((await nixkit(["-C", dir, "ci", "generate"])).exitCode).toBe(0);
    const workflowText = readFileSync(path.join(dir, ".github/workflows/nixkit.yml"), "utf8");
    expect(validateWorkflow(workflowText).errors).toEqual([]);
    const workflow = parse(workflowText);
    expect(workflow.jobs.push.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(JSON.stringify(workflow.jobs.push.steps)).toContain("secrets.NIXKIT_CACHE_SECRET_KEY");
    expect(workflow.jobs.check.steps[1].with.extra_nix_config).toContain("extra-substituters = https://cache.example.org");
    const gitlab = parse(readFileSync(path.join(dir, ".gitlab-ci.yml"), "utf8"));
    expect(gitlab["nixkit-push"].rules).toEqual([{ if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" }]);
  });

  test("the GitHub workflow's run: steps, run here job by job in needs order, give the same result as nixkit ci", async () => {
    for (const example of ["hello", "failing-test"]) {
      const dir = await ready(example);
      const direct = await ci(dir);
      // A runner with nixkit on PATH: the workflow's install step then does nothing.
      const bin = tempDir();
      writeFileSync(path.join(bin, "nixkit"), `#!/bin/sh\nexec node ${JSON.stringify(cliPath)} "$@"\n`);
      chmodSync(path.join(bin, "nixkit"), 0o755);
      const workflow = parse(readFileSync(path.join(dir, ".github/workflows/nixkit.yml"), "utf8"));
      const outcome: Record<string, string> = {};
      for (const [job, spec] of Object.entries(workflow.jobs as Record<string, { needs?: string[]; steps: { run?: string }[] }>)) {
        if ((spec.needs ?? []).some((n) => outcome[n] !== "success")) {
          outcome[job] = "skipped";
          continue;
        }
        outcome[job] = "success";
        for (const step of spec.steps.filter((s) => s.run)) {
          const result = await execa("bash", ["-e", "-c", step.run!], {
            cwd: dir,
            env: { ...nixEnv, ...workflow.env, PATH: `${bin}:${process.env.PATH}`, RUNNER_TEMP: tempDir() },
            reject: false,
          });
          if (result.exitCode !== 0) {
            outcome[job] = "failure";
            break;
          }
        }
      }
      const stageOutcome = Object.fromEntries(
        direct.report.stages.map((s) => [s.stage, s.status === "passed" ? "success" : s.status === "failed" ? "failure" : "skipped"]),
      );
      expect(outcome, example).toEqual(stageOutcome);
    }
  });
});
