// The part of the manifest the Nix library reads, with package references already parsed
// (so Nix never parses user strings) and each carrying its field path for error messages.
import { parsePackageRef } from "../manifest/package-ref.js";
import { formatPath } from "../manifest/problems.js";
import type { Manifest } from "../manifest/schema.js";
import { derivationNames } from "../nix/flake-attrs.js";
import type { NodeContext } from "../node/registry-for.js";
import type { GoContext } from "../go/context.js";
import { moduleDirOf, workspaceDirOf } from "../manifest/language-fields.js";
import type { PythonContext } from "../python/context.js";
import type { RustContext } from "../rust/context.js";
import type { NixValue } from "./to-nix.js";

type Languages = Pick<Manifest["shell"], "node" | "python" | "go" | "rust">;

type Section = Languages & {
  packages: string[];
  needs: string[];
  env: Record<string, string>;
  data: Manifest["builds"][string]["data"];
  script: string;
  patchShebangs: boolean;
  src?: { include: string[]; exclude: string[] };
};

function packageRef(text: string, field: (string | number)[]): NixValue {
  const ref = parsePackageRef(text);
  if ("error" in ref) throw new Error(`unvalidated package reference ${text}`);
  return { input: ref.input, attrPath: ref.attrPath, text, field: formatPath(field) };
}

const packageRefs = (packages: string[], field: (string | number)[]): NixValue[] =>
  packages.map((text, i) => packageRef(text, [...field, i]));

const stripDotSlash = (glob: string) => glob.replace(/^(!?)\.\//, "$1");

// Node: the lockfile's directory is the npm project. Python: package names are checked in Nix,
// each at its field, like package references.
function languages(spec: Languages, field: (string | number)[]): Record<string, NixValue> {
  const node = spec.node && {
    lockfile: spec.node.lockfile.replace(/^\.\//, ""),
    scripts: spec.node.scripts,
    omit: spec.node.omit,
  };
  const python = spec.python && {
    version: spec.python.version ?? null,
    lockfile: spec.python.lockfile?.replace(/^\.\//, "") ?? null,
    groups: spec.python.groups ?? ["dev"],
    packages: spec.python.packages.map((name, i) => ({ name, field: formatPath([...field, "python", "packages", i]) })),
    field: formatPath([...field, "python"]),
  };
  const go = spec.go && { module: moduleDirOf(spec.go) };
  const rust = spec.rust && { workspace: workspaceDirOf(spec.rust) };
  return { node: node ?? null, python: python ?? null, go: go ?? null, rust: rust ?? null };
}

/** A pinned file for Nix: its URL or project path, and its sha256 in hex and SRI form. */
function dataFile(file: Section["data"][string]): NixValue {
  const hex = /^[0-9a-f]{64}$/.test(file.sha256) ? file.sha256 : Buffer.from(file.sha256.slice("sha256-".length), "base64").toString("hex");
  return {
    url: file.url ?? null,
    path: file.path?.replace(/^\.\//, "") ?? null,
    sha256: hex,
    hash: `sha256-${Buffer.from(hex, "hex").toString("base64")}`,
  };
}

function scriptSection(kind: "builds" | "tests", name: string, spec: Section): NixValue {
  return {
    ...languages(spec, [kind, name]),
    drvName: kind === "builds" ? derivationNames.build(name) : derivationNames.testReport(name),
    packages: packageRefs(spec.packages, [kind, name, "packages"]),
    needs: spec.needs,
    env: spec.env,
    data: Object.fromEntries(Object.entries(spec.data).map(([name, file]) => [name, dataFile(file)])),
    script: spec.script,
    ...(spec.patchShebangs ? {} : { patchShebangs: false }),
    src: spec.src ? { include: spec.src.include.map(stripDotSlash), exclude: spec.src.exclude.map(stripDotSlash) } : null,
  };
}

export function flakeData(manifest: Manifest, node: NodeContext, locks: PythonContext & GoContext & RustContext = {}): NixValue {
  const section = (kind: "builds" | "tests") =>
    Object.fromEntries(Object.entries(manifest[kind]).map(([name, spec]) => [name, scriptSection(kind, name, spec)]));
  return {
    name: manifest.name,
    systems: manifest.systems,
    npmRegistry: node.npmRegistry,
    ...(node.npmSettings ? { npmSettings: node.npmSettings } : {}),
    ...(node.pnpmLocks ? { pnpmLocks: node.pnpmLocks as unknown as NixValue } : {}),
    ...(node.yarnLocks ? { yarnLocks: node.yarnLocks as unknown as NixValue } : {}),
    ...(locks.pythonLocks ? { pythonLocks: locks.pythonLocks as unknown as NixValue } : {}),
    ...(locks.goModules ? { goModules: locks.goModules as unknown as NixValue } : {}),
    ...(locks.rustLocks ? { rustLocks: locks.rustLocks as unknown as NixValue } : {}),
    shell: {
      ...languages(manifest.shell, ["shell"]),
      packages: packageRefs(manifest.shell.packages, ["shell", "packages"]),
      env: manifest.shell.env,
      hook: manifest.shell.hook,
    },
    builds: section("builds"),
    tests: section("tests"),
    images: Object.fromEntries(
      Object.entries(manifest.images).map(([name, image]) => [
        name,
        {
          drvName: derivationNames.imageRoot(name),
          contents: image.contents.map((item, i): NixValue =>
            manifest.builds[item]
              ? { build: item, package: null }
              : { build: null, package: packageRef(item, ["images", name, "contents", i]) },
          ),
        },
      ]),
    ),
  };
}
