// Generated CI is not injectable (issue 19): whatever a manifest value holds, the pipelines keep
// the clean manifest's job graph, push conditions and nix.conf lines, or nixkit refuses to write
// them. The serializers are tested past the schema (hostile values put straight into a parsed
// manifest); the schema's own refusals are tested at their line.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { renderProvider } from "../../src/ci/generate.js";
import { parseManifest } from "../../src/manifest/parse.js";
import type { Manifest } from "../../src/manifest/schema.js";

const KEY = "cache-1:JmVH2d8tJvTqYFxz3yF5rn4G6c3QnyNkDNCz+Xk2Duw=";
const clean = parseManifest(`version: 1
name: demo
inputs:
  nixpkgs: github:NixOS/nixpkgs/nixos-26.05
builds:
  app: { script: "mkdir $out" }
cache:
  url: https://cache.example.org
  publicKeys: ["${KEY}"]
ci:
  stages: [check, build, test, image, push]
  providers: [github, gitlab]
  branch: main
`).manifest;

type Field = "branch" | "url" | "key";
const withValue = (field: Field, value: string): Manifest => {
  const m = structuredClone(clean);
  if (field === "branch") m.ci.branch = value;
  if (field === "url") m.cache!.url = value;
  if (field === "key") m.cache!.publicKeys = [value, KEY];
  return m;
};

interface Workflow {
  on: { push: { branches: string[] } };
  jobs: Record<string, { needs?: string[]; if?: string; steps: { with?: { extra_nix_config?: string } }[] }>;
}
interface GitlabDoc {
  variables: { NIX_CONFIG: { value: string; expand: boolean } };
  workflow: unknown;
  [job: string]: unknown;
}

const unGithub = (text: string) => text.replaceAll("${{ '${{' }}", "${{");
const confLines = (text: string) => text.split("\n").filter(Boolean);
const confKeys = (text: string) => confLines(text).map((l) => l.split(" = ")[0]);
const allStrings = (value: unknown): string[] =>
  typeof value === "string" ? [value] : value && typeof value === "object" ? Object.values(value).flatMap(allStrings) : [];
// The only expressions nixkit writes itself.
const OWN_EXPRESSIONS = ["${{ secrets.NIXKIT_CACHE_SECRET_KEY }}", "nixkit-${{ github.workflow }}-${{ github.ref }}"];

function render(manifest: Manifest): { github: Workflow; gitlab: GitlabDoc } | "refused" {
  try {
    return {
      github: parse(renderProvider(manifest, "github")) as Workflow,
      gitlab: parse(renderProvider(manifest, "gitlab")) as GitlabDoc,
    };
  } catch (error) {
    expect((error as Error).message).toMatch(/^nixkit: .* cannot be written into/);
    return "refused";
  }
}

const reference = render(clean) as Exclude<ReturnType<typeof render>, "refused">;
const config = (doc: Workflow) => Object.values(doc.jobs)[0]!.steps[1]!.with!.extra_nix_config!;

function expectSameShape(field: Field, value: string) {
  // An empty URL is no cache at all (no substituter line), not an attack.
  if (field === "url" && value === "") return;
  const result = render(withValue(field, value));
  if (result === "refused") return;
  const { github, gitlab } = result;
  // GitHub: the same jobs and needs; the push job runs on a push to that one branch only.
  expect(Object.keys(github.jobs)).toEqual(Object.keys(reference.github.jobs));
  for (const [name, job] of Object.entries(github.jobs)) expect(job.needs).toEqual(reference.github.jobs[name]!.needs);
  const condition = /^github\.event_name == 'push' && github\.ref == '((?:[^']|'')*)'$/.exec(github.jobs.push!.if!);
  expect(condition).not.toBeNull();
  const branch = field === "branch" ? value : "main";
  expect(condition![1]!.replaceAll("''", "'")).toBe(`refs/heads/${branch}`);
  expect(github.on.push.branches).toHaveLength(1);
  expect(unGithub(github.on.push.branches[0]!).replace(/\\([*?+[\]!\\])/g, "$1")).toBe(branch);
  // Every job's nix.conf has the clean lines, with the value as one value of its line.
  for (const job of Object.values(github.jobs))
    expect(confKeys(job.steps[1]!.with!.extra_nix_config!)).toEqual(confKeys(config(reference.github)));
  const lines = confLines(unGithub(config(github)));
  if (field === "url") expect(lines).toContain(`extra-substituters = ${value}`);
  if (field === "key") expect(lines).toContain(`extra-trusted-public-keys = ${value} ${KEY}`);
  // No expression but nixkit's own survives in the file.
  for (const text of allStrings(github)) {
    const rest = OWN_EXPRESSIONS.reduce((t, own) => t.replaceAll(own, ""), text.replaceAll("${{ '${{' }}", ""));
    expect(rest).not.toContain("${{");
  }
  // GitLab: the same jobs and rules; NIX_CONFIG is never expanded and keeps its lines.
  const jobs = (doc: GitlabDoc) => Object.fromEntries(Object.entries(doc).filter(([k]) => k.startsWith("nixkit-")));
  expect(jobs(gitlab)).toEqual(jobs(reference.gitlab));
  expect(gitlab.workflow).toEqual(reference.gitlab.workflow);
  expect(gitlab.variables.NIX_CONFIG.expand).toBe(false);
  expect(confKeys(gitlab.variables.NIX_CONFIG.value)).toEqual(confKeys(reference.gitlab.variables.NIX_CONFIG.value));
}

describe("CI files from hostile manifest values", () => {
  const hostile = fc.oneof(
    fc.string({ unit: "binary", maxLength: 40 }),
    fc
      .array(
        fc.constantFrom(
          "'",
          '"',
          "\n",
          "\r",
          "${{ secrets.X }}",
          "${{",
          "}}",
          "$VAR",
          "$(id)",
          "`id`",
          "*",
          "!",
          "+",
          "[",
          "\\",
          "#",
          " ",
          "main",
          ": ",
          "- ",
          "sandbox = false",
        ),
        { maxLength: 8 },
      )
      .map((parts) => parts.join("")),
  );

  test.each(["branch", "url", "key"] as const)("property: %s keeps the job graph, the push condition and nix.conf", (field) => {
    fc.assert(
      fc.property(hostile, (value) => expectSameShape(field, value)),
      { seed: 1919, numRuns: 400 },
    );
  });

  test.each([
    ["branch", "main' || true || '"],
    ["branch", "${{ secrets.NIXKIT_CACHE_SECRET_KEY }}"],
    ["url", "https://cache.example.org\nsandbox = false"],
    ["url", "https://cache.example.org/${{ secrets.NIXKIT_CACHE_SECRET_KEY }}"],
    ["url", "https://cache.example.org/$CI_JOB_TOKEN"],
    ["key", `${KEY}\nsandbox = false`],
  ] as const)("the known attacks: %s = %j", (field, value) => expectSameShape(field, value));
});

describe("the schema refuses what no such value needs", () => {
  const manifest = (ci: string, cache = "") =>
    `version: 1\nname: demo\ninputs:\n  nixpkgs: github:NixOS/nixpkgs/nixos-26.05\n${cache}ci:\n${ci}`;
  const problems = (text: string) => {
    try {
      parseManifest(text);
    } catch (error) {
      return (error as Error).message;
    }
    return "";
  };

  test.each([
    ["a quote in a branch", manifest('  branch: "main\' || true"\n'), /nixkit\.yaml:6:11 ci\.branch: branch names here use/],
    ["${{ in a branch", manifest('  branch: "${{ github.head_ref }}"\n'), /ci\.branch: branch names here use/],
    ["a branch git refuses", manifest("  branch: release..1\n"), /ci\.branch: not a valid git branch name/],
    [
      "a newline in cache.url",
      manifest("", 'cache:\n  url: "https://c.example\\nsandbox = false"\n'),
      /nixkit\.yaml:6:8 cache\.url: cache URLs look like/,
    ],
    ["$VAR in cache.url", manifest("", "cache:\n  url: https://c.example/$CI_JOB_TOKEN\n"), /cache\.url: cache URLs look like/],
    [
      "credentials in cache.url",
      manifest("", "cache:\n  url: https://me:tok@c.example\n"),
      /cache\.url: the URL carries credentials.*netrc-file/,
    ],
    [
      "a newline in a key",
      manifest("", `cache:\n  publicKeys: ["${KEY}\\nsandbox = false"]\n`),
      /cache\.publicKeys\[0\]: public keys look like NAME:BASE64/,
    ],
    ["a path in the registry", manifest("  registry: docker://r.example/$X\n"), /ci\.registry: registries look like/],
  ])("%s", (_name, text, message) => {
    expect(problems(text)).toMatch(message);
    expect(problems(text)).not.toContain("sandbox = false\n");
  });

  test("ordinary values pass", () => {
    expect(
      problems(
        manifest(
          "  branch: release/2.x\n  registry: docker://registry.example.org:5000/team\n",
          `cache:\n  url: s3://bucket?region=eu-west-1\n  publicKeys: ["${KEY}"]\n`,
        ),
      ),
    ).toBe("");
  });
});
