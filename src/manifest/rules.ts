// Cross-field rules that the schema cannot express. Each returns problems without positions;
// parse.ts places them.
import { derivationNames, TEST_REPORT_PREFIX } from "../nix/flake-attrs.js";
import { derivationControlReason } from "./derivation-names.js";
import type { Manifest } from "./schema.js";
import { buildVariable, parsePackageRef } from "./package-ref.js";
import type { FieldPath } from "./problems.js";
import { closest } from "./suggest.js";
import { parseMachineLine } from "../nix/machines.js";

export interface RuleProblem {
  path: FieldPath;
  message: string;
  hint?: string;
  atKey?: boolean;
}

type Rule = (manifest: Manifest) => RuleProblem[];

const nixpkgsRequired: Rule = (m) =>
  m.inputs.nixpkgs
    ? []
    : [{ path: ["inputs"], message: "the nixpkgs input is missing", hint: "add `nixpkgs: github:NixOS/nixpkgs/nixos-26.05`" }];

const packagesResolve: Rule = (m) => {
  const problems: RuleProblem[] = [];
  const inputs = Object.keys(m.inputs);
  const lists: [FieldPath, string[]][] = [
    [["shell", "packages"], m.shell.packages],
    ...Object.entries(m.builds).map(([n, b]): [FieldPath, string[]] => [["builds", n, "packages"], b.packages]),
    ...Object.entries(m.tests).map(([n, t]): [FieldPath, string[]] => [["tests", n, "packages"], t.packages]),
  ];
  for (const [path, packages] of lists) {
    packages.forEach((text, i) => {
      const ref = parsePackageRef(text);
      if ("error" in ref) {
        problems.push({ path: [...path, i], message: ref.error, hint: 'write "jq", "python3Packages.numpy" or "INPUT#attr"' });
      } else if (!m.inputs[ref.input]) {
        const guess = closest(ref.input, inputs);
        problems.push({
          path: [...path, i],
          message: `input "${ref.input}" is not declared`,
          hint: guess ? `did you mean "${guess}"?` : `add it under inputs`,
        });
      }
    });
  }
  return problems;
};

// What the Nix side of source filtering (nix/lib/glob.nix) does not implement.
export const unsupportedGlob = /[+@!?*]\(|\\|\[\[:/;

const globsStayInside: Rule = (m) => {
  const problems: RuleProblem[] = [];
  for (const kind of ["builds", "tests"] as const) {
    for (const [name, spec] of Object.entries(m[kind])) {
      for (const list of ["include", "exclude"] as const) {
        spec.src?.[list].forEach((glob, i) => {
          const pattern = glob.startsWith("!") ? glob.slice(1) : glob;
          if (pattern.startsWith("/") || pattern.split("/").includes("..")) {
            problems.push({
              path: [kind, name, "src", list, i],
              message: `glob escapes the project root (${JSON.stringify(glob)})`,
              hint: "use a path inside the project",
            });
          } else if (unsupportedGlob.test(pattern)) {
            problems.push({
              path: [kind, name, "src", list, i],
              message: `extglobs, "\\" escapes and POSIX classes are not supported (${JSON.stringify(glob)})`,
              hint: "use *, **, ?, [abc], [!abc] and {a,b}",
            });
          }
        });
      }
    }
  }
  return problems;
};

const needsExist: Rule = (m) => {
  const problems: RuleProblem[] = [];
  const builds = Object.keys(m.builds);
  for (const kind of ["builds", "tests"] as const) {
    for (const [name, spec] of Object.entries(m[kind])) {
      spec.needs.forEach((need, i) => {
        if (m.builds[need]) return;
        const guess = closest(need, builds);
        problems.push({
          path: [kind, name, "needs", i],
          message: `there is no build named "${need}"`,
          hint: guess ? `did you mean "${guess}"?` : builds.length ? `builds: ${builds.join(", ")}` : "declare it under builds",
        });
      });
    }
  }
  return problems;
};

const needsAcyclic: Rule = (m) => {
  const state = new Map<string, "visiting" | "done">();
  const problems: RuleProblem[] = [];
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === "done" || !m.builds[name]) return;
    if (state.get(name) === "visiting") {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      problems.push({
        path: ["builds", name, "needs"],
        message: `builds depend on each other in a cycle: ${cycle.join(" -> ")}`,
        hint: "remove one of the needs",
      });
      return;
    }
    state.set(name, "visiting");
    for (const need of m.builds[name].needs) visit(need, [...trail, name]);
    state.set(name, "done");
  };
  for (const name of Object.keys(m.builds)) visit(name, []);
  return problems.slice(0, 1);
};

// Test reports are derivations named nixkit-test-<name>; nixkit tells runs apart by that name.
const buildNamesNotReserved: Rule = (m) =>
  Object.keys(m.builds)
    .filter((name) => derivationNames.isReserved(name))
    .map((name) => ({
      path: ["builds", name],
      atKey: true,
      message: `build names may not start with "${TEST_REPORT_PREFIX}" (nixkit names test reports so)`,
      hint: "rename the build",
    }));

const buildVariablesDistinct: Rule = (m) => {
  const seen = new Map<string, string>();
  const problems: RuleProblem[] = [];
  for (const name of Object.keys(m.builds)) {
    const variable = buildVariable(name);
    const other = seen.get(variable);
    if (other) {
      problems.push({
        path: ["builds", name],
        atKey: true,
        message: `"${name}" and "${other}" both map to $${variable}`,
        hint: "rename one of them",
      });
    }
    seen.set(variable, name);
  }
  return problems;
};

// Variables the builder itself sets; an env entry would clash with them (nixpkgs refuses too).
const reservedEnv = new Set(["PATH", "HOME", "TMPDIR", "out", "NIXKIT_REPORTS", "NIXKIT_PROJECT"]);

// Environment values reach the builder through its environment, which the kernel caps
// (ARG_MAX, and 128 KiB for one string): the limit is checked here, not by a failing build.
export const MAX_ENV_VALUE_BYTES = 64 * 1024;

const envNotReserved: Rule = (m) => {
  const problems: RuleProblem[] = [];
  const maps: [FieldPath, Record<string, string>][] = [
    [["shell", "env"], m.shell.env],
    ...Object.entries(m.builds).map(([n, b]): [FieldPath, Record<string, string>] => [["builds", n, "env"], b.env]),
    ...Object.entries(m.tests).map(([n, t]): [FieldPath, Record<string, string>] => [["tests", n, "env"], t.env]),
  ];
  for (const [path, env] of maps) {
    for (const [key, value] of Object.entries(env)) {
      const control = derivationControlReason(key);
      if (reservedEnv.has(key) || key.startsWith("NIXKIT_BUILD_") || key.startsWith("NIX_")) {
        problems.push({
          path: [...path, key],
          atKey: true,
          message: `${key} is set by nixkit or Nix and cannot be overridden`,
          hint: "use another variable name",
        });
      } else if (control) {
        problems.push({
          path: [...path, key],
          atKey: true,
          message: `${key} is not a plain environment variable: ${control}`,
          hint: "use another variable name; nixkit decides how the build runs",
        });
      }
      if (Buffer.byteLength(value) > MAX_ENV_VALUE_BYTES) {
        problems.push({
          path: [...path, key],
          message: `the value is ${Buffer.byteLength(value)} bytes; environment values are limited to ${MAX_ENV_VALUE_BYTES} bytes`,
          hint: "put large data in a file of the project and read it from the script",
        });
      }
    }
  }
  return problems;
};

// A YAML escape ("\0") can put NUL into any string; neither Nix strings nor the environment can hold it.
const noNulCharacters: Rule = (m) => {
  const problems: RuleProblem[] = [];
  const visit = (value: unknown, path: FieldPath) => {
    if (typeof value === "string") {
      if (value.includes("\0"))
        problems.push({ path, message: "contains a NUL character (\\0), which Nix strings cannot hold", hint: "remove it" });
    } else if (Array.isArray(value)) value.forEach((v, i) => visit(v, [...path, i]));
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
  };
  visit(m, []);
  return problems;
};

// OCI distribution spec: a tag is [A-Za-z0-9_][A-Za-z0-9._-]{0,127}.
const imageTag = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

const imageSettingsValid: Rule = (m) => {
  const problems: RuleProblem[] = [];
  for (const [name, image] of Object.entries(m.images)) {
    if (!imageTag.test(image.tag))
      problems.push({
        path: ["images", name, "tag"],
        message: `"${image.tag}" is not a valid image tag`,
        hint: "use letters, digits, _, . and -, up to 128 characters",
      });
    if (image.user !== undefined && !/^(\d{1,9}(:\d{1,9})?|root|nobody)$/.test(image.user)) {
      problems.push({
        path: ["images", name, "user"],
        message: `user "${image.user}" is neither numeric nor declared in the image`,
        hint: 'use "uid:gid" (e.g. "1000:1000"), "root" or "nobody"',
      });
    }
    if (image.workdir !== undefined && (!image.workdir.startsWith("/") || image.workdir.split("/").includes(".."))) {
      problems.push({
        path: ["images", name, "workdir"],
        message: `workdir "${image.workdir}" is not an absolute path inside the image`,
        hint: 'write an absolute path such as "/srv"',
      });
    }
    if (image.contents.length === 0)
      problems.push({
        path: ["images", name, "contents"],
        message: "the image has no contents",
        hint: "list builds or packages, e.g. contents: [app, cacert]",
      });
  }
  return problems;
};

const imageContentsKnown: Rule = (m) => {
  const problems: RuleProblem[] = [];
  for (const [name, image] of Object.entries(m.images)) {
    image.contents.forEach((item, i) => {
      if (m.builds[item]) return;
      const ref = parsePackageRef(item);
      if ("error" in ref) problems.push({ path: ["images", name, "contents", i], message: ref.error, hint: "name a build or a package" });
      else if (!m.inputs[ref.input])
        problems.push({
          path: ["images", name, "contents", i],
          message: `input "${ref.input}" is not declared`,
          hint: "add it under inputs",
        });
    });
  }
  return problems;
};

const buildersValid: Rule = (m) =>
  m.ci.builders.flatMap((line, i) => {
    const machine = parseMachineLine(line);
    return "error" in machine
      ? [
          {
            path: ["ci", "builders", i],
            message: machine.error,
            hint: 'a machine is "ssh-ng://USER@HOST SYSTEMS KEY-PATH JOBS SPEED FEATURES MANDATORY-FEATURES HOST-KEY", - for a default',
          },
        ]
      : [];
  });

export const rules: Rule[] = [
  buildersValid,
  nixpkgsRequired,
  packagesResolve,
  globsStayInside,
  needsExist,
  needsAcyclic,
  buildNamesNotReserved,
  buildVariablesDistinct,
  envNotReserved,
  noNulCharacters,
  imageContentsKnown,
  imageSettingsValid,
];

export const checkRules = (manifest: Manifest): RuleProblem[] => rules.flatMap((rule) => rule(manifest));

/**
 * The rules on data the schema refused, so that every problem is reported at once: each rule
 * that can read the data runs (one that cannot is skipped), and a problem at or under a field the
 * schema already named is left to the schema's message.
 */
export function checkRulesLoosely(data: unknown, schemaPaths: FieldPath[]): RuleProblem[] {
  const overlaps = (a: FieldPath, b: FieldPath) => a.slice(0, Math.min(a.length, b.length)).every((key, i) => key === b[i]);
  return rules.flatMap((rule) => {
    try {
      return rule(data as Manifest).filter((problem) => !schemaPaths.some((path) => overlaps(path, problem.path)));
    } catch {
      return [];
    }
  });
}
