// Manifest v1 (nixkit.yaml). Strict: unknown keys are errors. Defaults live beside the types.
import { z } from "zod";

const identifier = /^[a-z][a-z0-9_-]*$/;
const nameOf = (what: string) =>
  z.string().regex(identifier, { message: `${what} names use a-z, 0-9, "-" and "_", starting with a letter` });

export const envVarName = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const envMap = z
  .record(z.string().regex(envVarName, { message: "environment variable names use A-Z, a-z, 0-9 and _" }), envValue)
  .default({})
  .describe("Environment variables; values are strings (numbers and booleans are converted).");

const packageRef = z.string().min(1).describe('A package: an attribute path into nixpkgs ("python3Packages.numpy") or "INPUT#attr.path".');
const packageList = z.array(packageRef).default([]).describe("Packages on PATH.");
const script = z.string().describe("Bash script, run with `set -eo pipefail`.");

const source = z
  .strictObject({
    include: z.array(z.string().min(1)).default(["**"]).describe("fast-glob patterns (dotfiles match), relative to the project."),
    exclude: z.array(z.string().min(1)).default([]).describe("fast-glob patterns removed from the included files."),
  })
  .describe("Files copied into the sandbox. Absent: the whole project, less .git, .nixkit and result links.");

const node = z
  .strictObject({
    lockfile: z
      .string()
      .min(1)
      .default("package-lock.json")
      .describe(
        "package-lock.json (lockfileVersion 2 or 3), pnpm-lock.yaml (9.0 or 6.0) or yarn.lock (yarn 1, or yarn 4), relative to the project; its directory is the npm, pnpm or yarn project.",
      ),
    scripts: z
      .boolean()
      .default(true)
      .describe("Run the lifecycle scripts as `npm ci`, `pnpm install` or `yarn install` does (false: --ignore-scripts)."),
    omit: z
      .array(z.enum(["dev", "optional", "peer"]))
      .default([])
      .describe("Dependency types npm leaves out (npm ci --omit)."),
  })
  .describe(
    "Node dependencies from the lockfile: each package fetched by Nix, installed once in the sandbox by `npm ci --offline`, `pnpm install --frozen-lockfile`, `yarn install --frozen-lockfile --offline` (yarn 1) or `yarn install --immutable` (yarn 4), linked as node_modules (or yarn's .pnp.cjs).",
  );

const python = z
  .strictObject({
    packages: z
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_'-]*$/, { message: "a python3Packages attribute name, e.g. numpy" }))
      .default([])
      .describe("nixpkgs' python3Packages names."),
    lockfile: z
      .string()
      .min(1)
      .optional()
      .describe(
        "uv.lock, poetry.lock (Poetry 2) or a requirements file with --hash for every line (uv pip compile --generate-hashes), relative to the project: its wheels fetched by their sha256 and installed into one venv (instead of packages).",
      ),
    groups: z
      .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: "a dependency group name, e.g. dev" }))
      .optional()
      .describe("uv.lock and poetry.lock: the dependency groups installed with the project's own (default: dev, as `uv sync`)."),
    version: z
      .string()
      .regex(/^3\.\d+$/, { message: 'a Python version like "3.12"' })
      .optional()
      .describe('A Python version ("3.12": nixpkgs\' python312); absent: python3.'),
  })
  .refine((spec) => !(spec.lockfile && spec.packages.length > 0), {
    message: "packages (nixpkgs' python3Packages) and lockfile cannot be combined: put every package in the lock",
    path: ["packages"],
  })
  .refine((spec) => !(spec.groups && !spec.lockfile), {
    message: "groups select a lockfile's dependency groups: set lockfile too",
    path: ["groups"],
  })
  .describe("Python on PATH: with nixpkgs' python3Packages (python3.withPackages), or a venv from a lockfile.");

const go = z
  .strictObject({
    module: z.string().min(1).default(".").describe("The directory of go.mod and go.sum, relative to the project."),
  })
  .describe(
    "Go: the toolchain on PATH; in builds and tests, every module go.sum lists fetched by Nix from GOPROXY (checked against go.sum) and offline in GOMODCACHE.",
  );

const rust = z
  .strictObject({
    workspace: z.string().min(1).default(".").describe("The directory of Cargo.toml and Cargo.lock, relative to the project."),
  })
  .describe(
    "Rust: rustc, cargo and a C linker on PATH; in builds and tests, every crate Cargo.lock lists fetched by Nix by its checksum from the registry cargo is configured with, vendored offline.",
  );

const languages = { node: node.optional(), python: python.optional(), go: go.optional(), rust: rust.optional() };

// A file pinned by its sha256: fetched (url) or added (path) as a fixed-output input.
const dataFile = z
  .strictObject({
    url: z
      .string()
      .regex(/^https?:\/\/[^\s$`'"\\{}]+$/, { message: "data URLs are http:// or https:// (no spaces, quotes, $ or braces)" })
      .refine((url) => !/^[a-z]+:\/\/[^/?#]*@/.test(url), {
        message:
          "the URL carries credentials, which would be committed and printed; put them in Nix's netrc-file and write the URL without them",
      })
      .optional()
      .describe("Where the file is downloaded from (by Nix, checked against sha256)."),
    path: z
      .string()
      .min(1)
      .refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), { message: "a path inside the project (relative, without ..)" })
      .optional()
      .describe("A file of the project, relative to it."),
    sha256: z
      .string()
      .regex(/^([0-9a-f]{64}|sha256-[A-Za-z0-9+/]{43}=)$/, { message: "a sha256 in hex (sha256sum FILE) or SRI form (sha256-BASE64)" })
      .describe("The file's sha256: a file with other bytes is refused."),
  })
  .refine((d) => (d.url === undefined) !== (d.path === undefined), { message: "give url or path (one of them)" });

// Builds and tests share one shape; only what their script must do differs.
const scriptSection = (scriptDoes: string) =>
  z.strictObject({
    src: source.optional(),
    packages: packageList,
    needs: z.array(z.string()).default([]).describe("Builds whose outputs are in $NIXKIT_BUILD_<name>, their bin/ on PATH."),
    env: envMap,
    data: z
      .record(
        z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, { message: "data names use A-Z, a-z, 0-9 and _, starting with a letter" }),
        dataFile,
      )
      .default({})
      .describe("Files pinned by sha256 (data sets, models), each in $NIXKIT_DATA_<name>."),
    ...languages,
    patchShebangs: z
      .boolean()
      .default(true)
      .describe(
        "Point the source copy's #! lines (#!/usr/bin/env node, #!/bin/bash) at the store before the script runs, as nixpkgs' patchShebangs does; the sandbox has no /usr/bin/env.",
      ),
    script: script.describe(`Bash script run in a writable copy of the source; ${scriptDoes}.`),
  });

const build = scriptSection("it must write $out");
const test = scriptSection("it writes reports into $NIXKIT_REPORTS and fails by exiting non-zero");

const image = z.strictObject({
  contents: z.array(z.string()).default([]).describe("Builds and packages placed in the image root."),
  entrypoint: z.array(z.string()).optional(),
  cmd: z.array(z.string()).optional(),
  env: envMap,
  user: z.string().optional().describe('"uid:gid" or a user name.'),
  workdir: z.string().optional(),
  ports: z.array(z.number().int().min(1).max(65535)).default([]),
  labels: z.record(z.string(), z.string()).default({}),
  tag: z.string().default("latest"),
  maxLayers: z.number().int().min(2).max(125).default(100),
});

export const systemName = /^[a-z0-9_]+-[a-z0-9_]+$/;

// Values that reach the generated CI files and nix.conf: nothing a provider expands ($, ${{),
// nothing that ends a line, nothing a branch filter reads as a pattern.
// A branch as git's check-ref-format allows it, in the characters no CI provider reads specially.
const branchName = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9._/-]+$/, { message: "branch names here use letters, digits, ., _, - and /" })
  .refine((b) => !/(^|\/)[.-]|\.\.|\/\/|\/$|\.$|\.lock(\/|$)/.test(b), {
    message: "not a valid git branch name (git check-ref-format: no .., //, leading . or -, trailing / or ., .lock)",
  });
const cacheUrl = z
  .string()
  .regex(/^(https?|s3|file):\/\/[^\s$`'"\\{}]+$/, {
    message: "cache URLs look like https://cache.example.org (http, https, s3 or file; no spaces, quotes, $ or braces)",
  })
  .refine((url) => !/^[a-z0-9]+:\/\/[^/?#]*@/.test(url), {
    message:
      "the URL carries credentials, which would be committed and printed; put them in Nix's netrc-file (machine HOST login USER password TOKEN) and write the URL without them",
  });
const publicKey = z
  .string()
  .regex(/^[A-Za-z0-9._-]+:[A-Za-z0-9+/]{43}=$/, { message: "public keys look like NAME:BASE64 (what `nixkit cache keygen` prints)" });

export const manifestSchema = z
  .strictObject({
    version: z.literal(1).describe("Manifest format version."),
    name: nameOf("project").describe("Project name."),
    description: z.string().optional(),
    systems: z
      .array(z.string().regex(systemName, { message: 'systems look like "x86_64-linux"' }))
      .min(1)
      .default(["x86_64-linux", "aarch64-linux", "x86_64-darwin", "aarch64-darwin"])
      .describe("Nix systems the flake exposes."),
    inputs: z
      .record(
        z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, { message: "input names use letters, digits, - and _" }),
        z.string().min(1).describe("A flake reference."),
      )
      .describe("Flake inputs by name; nixpkgs is required."),
    shell: z
      .strictObject({
        packages: packageList,
        env: envMap,
        ...languages,
        hook: z.string().default("").describe("Bash run once when the shell starts."),
      })
      .default({ packages: [], env: {}, hook: "" }),
    builds: z.record(nameOf("build"), build).default({}),
    tests: z.record(nameOf("test"), test).default({}),
    images: z.record(nameOf("image"), image).default({}),
    nixpkgs: z
      .strictObject({
        allowUnfree: z
          .array(z.string().min(1))
          .default([])
          .describe('Unfree packages nixpkgs may evaluate, by package name (nixpkgs\' lib.getName: "terraform", "cudatoolkit").'),
      })
      .default({ allowUnfree: [] })
      .describe("nixpkgs' configuration (nixpkgs refuses unfree packages unless allowed here)."),
    cache: z
      .strictObject({
        url: cacheUrl.optional().describe("Binary cache URL."),
        publicKeys: z.array(publicKey).default([]),
      })
      .optional(),
    gc: z
      .strictObject({
        keep: z.number().int().min(1).default(3),
        keepSince: z
          .string()
          .regex(/^\d+[smhdw]$/, { message: 'durations look like "14d" (s, m, h, d, w)' })
          .default("14d"),
      })
      .default({ keep: 3, keepSince: "14d" }),
    ci: z
      .strictObject({
        stages: z.array(z.enum(["check", "build", "test", "image", "push"])).default(["check", "build", "test", "image"]),
        providers: z.array(z.enum(["github", "gitlab"])).default([]),
        branch: branchName.default("main").describe("The default branch: the only one that pushes to the cache and registry."),
        registry: z
          .string()
          .regex(/^docker:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[a-z0-9._/-]+)?$/, {
            message: "registries look like docker://registry.example.org/team",
          })
          .optional()
          .describe("Where the push stage pushes images (docker://HOST/PATH); each image goes to REGISTRY/NAME:TAG."),
        builders: z
          .array(z.string().min(1))
          .default([])
          .describe('Nix remote builders, one machines-file line each (e.g. "ssh-ng://builder x86_64-linux - 8").'),
      })
      .default({ stages: ["check", "build", "test", "image"], providers: [], branch: "main", builders: [] }),
  })
  .describe("nixkit manifest (nixkit.yaml), version 1.");

export type Manifest = z.output<typeof manifestSchema>;

/** Every key the schema knows at each depth, for "did you mean" hints. */
export function knownKeysAt(path: readonly (string | number)[]): string[] {
  let node: z.ZodType = manifestSchema;
  for (const segment of path) {
    node = unwrap(node);
    if (node instanceof z.ZodObject) node = node.shape[segment as string] ?? z.never();
    else if (node instanceof z.ZodRecord) node = node._zod.def.valueType as z.ZodType;
    else if (node instanceof z.ZodArray) node = node.element as z.ZodType;
    else return [];
  }
  node = unwrap(node);
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

function unwrap(node: z.ZodType): z.ZodType {
  while (node instanceof z.ZodDefault || node instanceof z.ZodOptional || node instanceof z.ZodPipe) {
    node = (node instanceof z.ZodPipe ? node._zod.def.in : node._zod.def.innerType) as z.ZodType;
  }
  return node;
}
