import { describe, expect, test } from "vitest";
import { parseManifest } from "../../src/manifest/parse.js";
import { ManifestError } from "../../src/manifest/problems.js";

const base = `version: 1
name: demo
inputs:
  nixpkgs: github:NixOS/nixpkgs/nixos-24.11
`;

function problems(text: string): string[] {
  try {
    parseManifest(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return (error as Error).message.split("\n");
  }
  throw new Error("expected the manifest to be rejected");
}

describe("schema accepts", () => {
  test.each([
    ["the minimal manifest", base],
    ["env values of every scalar type", base + "shell:\n  env: { A: 1, B: true, C: text }\n"],
    [
      "packages from another input",
      base + "  unstable: github:NixOS/nixpkgs/nixos-unstable\nshell:\n  packages: [jq, unstable#ripgrep, python3Packages.numpy]\n",
    ],
    ["builds that need builds", base + "builds:\n  a: { script: x }\n  b: { needs: [a], script: y }\n"],
    [
      "an image",
      base + "builds:\n  app: { script: x }\nimages:\n  web: { contents: [app, busybox], entrypoint: [/bin/app], ports: [8080] }\n",
    ],
    ["a negated include", base + "builds:\n  a:\n    src: { include: ['src/**', '!src/gen/**'] }\n    script: x\n"],
  ])("%s", (_name, text) => {
    expect(() => parseManifest(text)).not.toThrow();
  });
});

describe("schema rejects, with position, field and hint", () => {
  test.each([
    ["wrong version", base.replace("version: 1", "version: 2"), "nixkit.yaml:1:10 version: expected 1, got number 2"],
    ["bad project name", base.replace("name: demo", "name: Demo App"), "nixkit.yaml:2:7 name: project names use"],
    ["misspelt top-level key", base + "shel:\n  packages: [jq]\n", 'nixkit.yaml:5:1 shel: unknown key "shel" (did you mean "shell"?)'],
    [
      "misspelt nested key",
      base + "shell:\n  pakages: [jq]\n",
      'nixkit.yaml:6:3 shell.pakages: unknown key "pakages" (did you mean "packages"?)',
    ],
    [
      "a string where a list goes",
      base + "shell:\n  packages: jq\n",
      'nixkit.yaml:6:13 shell.packages: expected a list, got the string "jq" (write a list: ["jq"])',
    ],
    ["missing script", base + "builds:\n  app:\n    packages: [jq]\n", "nixkit.yaml:7:5 builds.app.script: required; expected a string"],
    [
      "a glob outside the project",
      base + "builds:\n  app:\n    src: { include: ['../x'] }\n    script: x\n",
      'nixkit.yaml:7:22 builds.app.src.include[0]: glob escapes the project root ("../x") (use a path inside the project)',
    ],
    [
      "an extglob",
      base + "builds:\n  app:\n    src: { include: ['src/*.+(js|ts)'] }\n    script: x\n",
      'builds.app.src.include[0]: extglobs, "\\" escapes and POSIX classes are not supported',
    ],
    [
      "an absolute glob",
      base + "builds:\n  app:\n    src: { exclude: ['/etc/**'] }\n    script: x\n",
      "builds.app.src.exclude[0]: glob escapes the project root",
    ],
    [
      "unknown needs",
      base + "builds:\n  app: { script: x }\ntests:\n  t: { needs: [ap], script: x }\n",
      'nixkit.yaml:8:16 tests.t.needs[0]: there is no build named "ap" (did you mean "app"?)',
    ],
    [
      "a needs cycle",
      base + "builds:\n  a: { needs: [b], script: x }\n  b: { needs: [a], script: x }\n",
      "builds depend on each other in a cycle: a -> b -> a",
    ],
    ["undeclared input", base + "shell:\n  packages: [unstabel#jq]\n", 'shell.packages[0]: input "unstabel" is not declared'],
    ["no nixpkgs input", "version: 1\nname: x\ninputs:\n  other: github:a/b\n", "nixkit.yaml:4:3 inputs: the nixpkgs input is missing"],
    ["a bad env var name", base + "shell:\n  env: { 'MY VAR': x }\n", 'nixkit.yaml:6:10 shell.env["MY VAR"]: environment variable names'],
    ["a reserved env var", base + "shell:\n  env: { PATH: /x }\n", "nixkit.yaml:6:10 shell.env.PATH: PATH is set by nixkit or Nix"],
    ["a bad build name", base + "builds:\n  'My App': { script: x }\n", 'nixkit.yaml:6:3 builds["My App"]: build names use'],
    ["duplicate keys", base + "builds:\n  a: { script: x }\n  a: { script: y }\n", "nixkit.yaml:7:3 builds.a: Map keys must be unique"],
    ["a bad package reference", base + "shell:\n  packages: ['pkgs..jq']\n", 'shell.packages[0]: "pkgs..jq" is not an attribute path'],
    [
      "a build name nixkit reserves",
      base + "builds:\n  nixkit-test-x: { script: x }\n",
      'nixkit.yaml:6:3 builds.nixkit-test-x: build names may not start with "nixkit-test-"',
    ],
    [
      "an image tag with a colon",
      base + "images:\n  web:\n    contents: [busybox]\n    tag: 'v1:2'\n",
      'nixkit.yaml:8:10 images.web.tag: "v1:2" is not a valid image tag',
    ],
    [
      "an image user that is not declared",
      base + "images:\n  web:\n    contents: [busybox]\n    user: app\n",
      'nixkit.yaml:8:11 images.web.user: user "app" is neither numeric nor declared in the image',
    ],
    [
      "a workdir outside the image root",
      base + "images:\n  web:\n    contents: [busybox]\n    workdir: /srv/../../x\n",
      'images.web.workdir: workdir "/srv/../../x" is not an absolute path inside the image',
    ],
    [
      "too many layers",
      base + "images:\n  web:\n    contents: [busybox]\n    maxLayers: 200\n",
      "nixkit.yaml:8:16 images.web.maxLayers: at most 125",
    ],
    ["an image with no contents", base + "images:\n  web:\n    entrypoint: [/bin/sh]\n", "images.web.contents: the image has no contents"],
    ["a bad duration", base + "gc: { keepSince: forever }\n", 'gc.keepSince: durations look like "14d"'],
    [
      "build names colliding as variables",
      base + "builds:\n  a-b: { script: x }\n  a_b: { script: y }\n",
      'builds.a_b: "a_b" and "a-b" both map to $NIXKIT_BUILD_a_b',
    ],
  ])("%s", (_name, text, expected) => {
    expect(problems(text).join("\n")).toContain(expected);
  });

  test("reports every schema problem at once", () => {
    const found = problems(base + "shell:\n  pakages: [jq]\n  env: 3\nbuilds:\n  app: { scrpt: x }\n");
    expect(found).toHaveLength(4);
    expect(found.map((l) => l.split(" ")[1])).toEqual(
      ["shell.pakages:", "shell.env:", "builds.app.scrpt:", "builds.app.script:"].sort(
        (a, b) => found.findIndex((l) => l.includes(a)) - found.findIndex((l) => l.includes(b)),
      ),
    );
  });

  test("rule problems (a needs cycle) come with schema problems, in one report", () => {
    const found = problems(
      base.replace("name: demo", "name: Demo") + "builds:\n  a: { needs: [b], script: x }\n  b: { needs: [a], script: y }\n",
    );
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^nixkit\.yaml:2:7 name: /);
    expect(found[1]).toMatch(/builds\.\w\.needs: builds depend on each other in a cycle/);
  });

  test("a rule is not repeated where the schema already named the field", () => {
    const found = problems(base + "builds:\n  a: { needs: b, script: x }\n");
    expect(found).toHaveLength(1);
    expect(found[0]).toContain("builds.a.needs: ");
    expect(found[0]).not.toContain("cycle");
  });

  test("an empty file", () => {
    expect(problems("")[0]).toBe(
      "nixkit.yaml:1:1 (root): the manifest is empty (start with `version: 1` and `name: my-project`, or run `nixkit init`)",
    );
    expect(problems("# only a comment\n")[0]).toContain("the manifest is empty");
  });

  test("binary garbage is located at its first invalid byte", () => {
    expect(problems(Buffer.from([0x61, 0x3a, 0x0a, 0x62, 0xff]) as unknown as string)[0]).toBe(
      "nixkit.yaml:2:2 (root): the manifest is not UTF-8 text (save it as UTF-8)",
    );
  });

  test("a NUL byte", () => {
    expect(problems(base + "x: \0\n")[0]).toMatch(/^nixkit\.yaml:5:4 \(root\): the manifest contains a NUL byte/);
  });

  test("a file over 1 MiB", () => {
    expect(problems(Buffer.alloc(2 * 1024 * 1024, 0x20) as unknown as string)[0]).toContain("the manifest is 2.0 MiB");
  });

  test("YAML syntax errors carry the field they are in", () => {
    expect(problems(base + "builds:\n  app:\n    script: [\n")[0]).toMatch(/^nixkit\.yaml:\d+:\d+ builds\.app\.script: /);
  });
});

describe("normalisation", () => {
  test("fills every default", () => {
    const { manifest } = parseManifest(base + "builds:\n  app: { script: make }\n");
    expect(manifest).toEqual({
      version: 1,
      name: "demo",
      systems: ["x86_64-linux", "aarch64-linux", "x86_64-darwin", "aarch64-darwin"],
      inputs: { nixpkgs: "github:NixOS/nixpkgs/nixos-24.11" },
      shell: { packages: [], env: {}, hook: "" },
      builds: { app: { packages: [], needs: [], env: {}, data: {}, patchShebangs: true, script: "make" } },
      tests: {},
      images: {},
      nixpkgs: { allowUnfree: [] },
      gc: { keep: 3, keepSince: "14d" },
      ci: { stages: ["check", "build", "test", "image"], providers: [], branch: "main", builders: [] },
    });
  });

  test("stringifies env values and fills src defaults", () => {
    const { manifest } = parseManifest(
      base + "builds:\n  app:\n    src: { exclude: ['*.md'] }\n    env: { N: 3, B: false }\n    script: x\n",
    );
    expect(manifest.builds.app).toMatchObject({ env: { N: "3", B: "false" }, src: { include: ["**"], exclude: ["*.md"] } });
  });
});

describe("messages in the manifest's own words", () => {
  const base = "version: 1\nname: x\ninputs: { nixpkgs: github:NixOS/nixpkgs/nixos-24.11 }\n";
  test.each([
    [
      "an env value that is a list",
      base + "shell:\n  env:\n    LIST: [a, b]\n",
      "shell.env.LIST: expected a string, a number or true/false, got a list",
    ],
    [
      "a stage typo",
      base + "ci:\n  stages: [check, biuld]\n",
      'ci.stages[1]: expected "check" or "build" or "test" or "image" or "push", got the string "biuld" (did you mean "build"?)',
    ],
    ["too many layers", base + "images:\n  web:\n    contents: [hello]\n    maxLayers: 200\n", "images.web.maxLayers: at most 125"],
  ])("%s", (_what, yaml, message) => {
    expect(() => parseManifest(yaml)).toThrow(message);
  });
});

test("python.version errors give a Python hint, not the manifest format's", () => {
  for (const version of ['"2.7"', "3", "3.9x"]) {
    const [line] = problems(base + `shell:\n  python: { version: ${version} }\n`);
    expect(line).toMatch(/^nixkit\.yaml:6:\d+ shell\.python\.version: .*\(quote it: version: "3\.12"/);
    expect(line).not.toContain("version: 1");
  }
});
