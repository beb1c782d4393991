// The vendored Nix library evaluated against a tiny fake `pkgs` (one `nix eval`, nothing built):
// the derivation attributes it produces for a manifest, the source filter, the flake's attribute
// layout as src/nix/flake-attrs.ts names it, and the error for an unknown package.
import { symlinkSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { flakeData } from "../../src/generate/flake-data.js";
import { toNix } from "../../src/generate/to-nix.js";
import { parseManifest } from "../../src/manifest/parse.js";
import { derivationNames, flakeAttrs } from "../../src/nix/flake-attrs.js";
import { nix, repoRoot, tempDir, writeTree, versioned } from "../helpers.js";

const SYSTEM = "x86_64-linux";

const MANIFEST = `version: 1
name: demo
systems: [${SYSTEM}]
inputs:
  nixpkgs: github:NixOS/nixpkgs/nixos-24.11
  tools: github:example/tools
shell:
  packages: [jq, "tools#fmt"]
  env: { LOG_LEVEL: debug }
  hook: echo hi
builds:
  base:
    script: mkdir -p $out
  app:
    src: { include: ["src/**"], exclude: ["**/*.test.*"] }
    packages: [jq]
    needs: [base]
    env: { MODE: release }
    script: cp -r src $out
tests:
  unit:
    needs: [app]
    script: echo ok
images:
  web:
    contents: [app, jq]
`;

// mkDerivation and friends return their arguments, tagged, so the test sees what the library asked for.
const FAKE_PKGS = `
  let
    pkg = name: { type = "derivation"; inherit name; outPath = "/nix/store/00000000000000000000000000000000-\${name}"; };
    tagged = builder: attrs: attrs // { type = "derivation"; __builder = builder; outPath = "/nix/store/11111111111111111111111111111111-\${attrs.name}"; };
  in {
    lib = import ${JSON.stringify(path.join(repoRoot, "nix/offline-pkgs/lib.nix"))};
    bash = pkg "bash";
    jq = pkg "jq";
    stdenv.mkDerivation = tagged "mkDerivation";
    mkShell = tagged "mkShell";
    buildEnv = tagged "buildEnv";
    runCommand = name: env: script: tagged "runCommand" (env // { inherit name script; });
  }`;

type EnvHolder = { env: Record<string, string> };
type ManifestData = { builds: Record<string, EnvHolder>; tests: Record<string, EnvHolder>; shell: EnvHolder };

function libraryCall(root: string, manifestYaml: string, edit: (data: ManifestData) => void = () => {}): string {
  const value = flakeData(parseManifest(manifestYaml).manifest, { npmRegistry: null });
  edit(value as unknown as ManifestData);
  const data = toNix(value, "  ");
  return `import ${JSON.stringify(path.join(repoRoot, "nix/lib"))} {
    inputs = { nixpkgs = { }; tools.packages.${SYSTEM}.fmt = { type = "derivation"; name = "fmt"; outPath = "/nix/store/22222222222222222222222222222222-fmt"; }; };
    pkgsFor = _: ${FAKE_PKGS};
    root = ${JSON.stringify(root)};
    manifest = ${data};
  }`;
}

async function evaluate(expr: string, cwd: string) {
  const result = await nix(["eval", "--impure", "--json", "--expr", expr], cwd);
  return { ...result, value: result.exitCode === 0 ? JSON.parse(result.stdout) : undefined };
}

function project() {
  const root = tempDir();
  writeTree(root, {
    "src/a.js": "a",
    "src/a.test.js": "t",
    "src/deep/b.js": "b",
    "README.md": "r",
    ".git/HEAD": "ref",
    "nixkit.yaml": MANIFEST,
  });
  symlinkSync("src/a.js", path.join(root, "result-app"));
  return root;
}

describe(versioned("the Nix library, evaluated against a fake pkgs", "the Nix language and builtins the library uses"), () => {
  test("derivations: names, env, passAsFile, inputs, sources, checks, images, shell, and the attribute layout", async () => {
    const root = project();
    const at = (attr: string) =>
      `(out.${attr
        .split(".")
        .map((p) => JSON.stringify(p))
        .join(".")})`;
    const names = "map (d: d.name)";
    const files = `dir: let walk = prefix: d: builtins.concatLists (map (n: let t = (builtins.readDir d).\${n}; in if t == "directory" then walk "\${prefix}\${n}/" "\${d}/\${n}" else [ "\${prefix}\${n}" ]) (builtins.attrNames (builtins.readDir d))); in walk "" dir`;
    const expr = `let out = ${libraryCall(root, MANIFEST)}; listFiles = ${files}; app = ${at(flakeAttrs.build(SYSTEM, "app"))}; report = ${at(flakeAttrs.testReport(SYSTEM, "unit"))}; in {
      app = { inherit (app) name __builder passAsFile nixkitScript env dontConfigure dontInstall; inputs = ${names} app.nativeBuildInputs; src = listFiles app.src; };
      base = { inherit (${at(flakeAttrs.build(SYSTEM, "base"))}) name; src = listFiles ${at(flakeAttrs.build(SYSTEM, "base"))}.src; };
      report = { inherit (report) name __builder dontFixup passAsFile; inputs = ${names} report.nativeBuildInputs; };
      check = { inherit (out.checks.${SYSTEM}.unit) name __builder; report = out.checks.${SYSTEM}.unit.report.name; };
      image = { inherit (${at(flakeAttrs.imageRoot(SYSTEM, "web"))}) name __builder; paths = ${names} ${at(flakeAttrs.imageRoot(SYSTEM, "web"))}.paths; };
      shell = { inherit (${at(flakeAttrs.devShell(SYSTEM))}) name __builder env shellHook; packages = ${names} ${at(flakeAttrs.devShell(SYSTEM))}.packages; };
    }`;
    const { value, stderr } = await evaluate(expr, root);
    expect(value, stderr).toBeDefined();
    expect(value.app).toEqual({
      name: derivationNames.build("app"),
      __builder: "mkDerivation",
      passAsFile: ["nixkitScript"],
      nixkitScript: "cp -r src $out",
      env: { MODE: "release", NIXKIT_BUILD_base: "/nix/store/11111111111111111111111111111111-base" },
      dontConfigure: true,
      dontInstall: true,
      // A needed build is no input (nixpkgs would source a single-file one); it comes as a variable.
      inputs: ["bash", "jq"],
      src: ["src/a.js", "src/deep/b.js"],
    });
    // No src: the whole project less VCS data, result links and the generated files.
    expect(value.base).toEqual({ name: "base", src: ["README.md", "src/a.js", "src/a.test.js", "src/deep/b.js"] });
    expect(value.report).toEqual({
      name: derivationNames.testReport("unit"),
      __builder: "mkDerivation",
      dontFixup: true,
      passAsFile: ["nixkitScript"],
      inputs: ["bash"],
    });
    expect(value.check).toEqual({ name: "unit", __builder: "runCommand", report: derivationNames.testReport("unit") });
    expect(value.image).toEqual({ name: derivationNames.imageRoot("web"), __builder: "buildEnv", paths: ["app", "jq"] });
    expect(value.shell).toEqual({
      name: "demo-shell",
      __builder: "mkShell",
      env: { LOG_LEVEL: "debug" },
      shellHook: "echo hi",
      packages: ["jq", "fmt"],
    });
  });

  test("an unknown package names the manifest field", async () => {
    const root = project();
    const manifest = MANIFEST.replace("packages: [jq, ", "packages: [jq, nope, ");
    const { exitCode, stderr } = await evaluate(`(${libraryCall(root, manifest)}).devShells.${SYSTEM}.default.packages`, root);
    expect(exitCode).not.toBe(0);
    expect(stderr).toContain('nixkit.yaml shell.packages[1]: package "nope" is not in input "nixpkgs"');
  });
});

describe(
  versioned(
    "the library refuses env names that control the build, even in data nixkit did not validate",
    "the Nix language and builtins the library uses",
  ),
  () => {
    test.each([
      ["builds.app", "outputHash", (d: ManifestData) => (d.builds.app!.env.outputHash = "0")],
      ["tests.unit", "__noChroot", (d: ManifestData) => (d.tests.unit!.env.__noChroot = "1")],
      ["shell", "impureEnvVars", (d: ManifestData) => (d.shell.env.impureEnvVars = "SECRET")],
    ])("%s.env.%s", async (field, name, edit) => {
      const root = project();
      const attr =
        field === "shell"
          ? flakeAttrs.devShell(SYSTEM)
          : field.startsWith("builds")
            ? flakeAttrs.build(SYSTEM, "app")
            : flakeAttrs.testReport(SYSTEM, "unit");
      const path = attr
        .split(".")
        .map((p) => JSON.stringify(p))
        .join(".");
      const { exitCode, stderr } = await evaluate(`(${libraryCall(root, MANIFEST, edit)}).${path}.env`, root);
      expect(exitCode).not.toBe(0);
      expect(stderr).toContain(`nixkit.yaml ${field === "shell" ? "shell" : field}.env.${name}: not a plain environment variable`);
    });
  },
);
