// Every path nixkit reads or writes outside /nix: the project's own files, its state under
// .nixkit/, and the per-user cache and config. No other module spells these paths.
// Node builtins only: the warm shell path reads the shell cache through this module.
import { homedir } from "node:os";
import path from "node:path";

export const MANIFEST_FILE = "nixkit.yaml";
export const FLAKE_FILE = "flake.nix";
export const LOCK_FILE = "flake.lock";
export const ENVRC_FILE = ".envrc";
/** The CI pipelines `nixkit ci generate` writes, relative to the project. */
export const GITHUB_WORKFLOW_FILE = ".github/workflows/nixkit.yml";
export const GITLAB_CI_FILE = ".gitlab-ci.yml";
/** The vendored Nix library, relative to the project (generated, committed). */
export const LIB_DIR = ".nixkit/lib";
/** Project state that is never committed (init puts it in .gitignore). */
export const STATE_DIR = ".nixkit/cache";
/** The files a dev environment depends on, relative to the project, besides LIB_DIR. */
export const ENV_INPUT_FILES = [MANIFEST_FILE, FLAKE_FILE, LOCK_FILE];

/**
 * A directory nixkit wrote once under a content-addressed name (the offline package set) holds
 * this marker, whose content stands for the whole tree in the shell's environment key.
 */
export const IMMUTABLE_MARKER = ".nixkit-immutable";

/** The paths of one project's files and state. */
export function projectPaths(projectDir: string) {
  const state = path.join(projectDir, STATE_DIR);
  const shell = path.join(state, "shell");
  return {
    manifest: path.join(projectDir, MANIFEST_FILE),
    flake: path.join(projectDir, FLAKE_FILE),
    lock: path.join(projectDir, LOCK_FILE),
    envrc: path.join(projectDir, ENVRC_FILE),
    lib: path.join(projectDir, LIB_DIR),
    /** `result-NAME`: the latest output of a build, for people (also a GC root). */
    resultLink: (build: string) => path.join(projectDir, `result-${build}`),
    gcRoots: path.join(state, "gcroots"),
    /** Cached dev environments: <key>.rc, latest, the profile and its generations, shell wrappers. */
    shell: {
      dir: shell,
      rc: (key: string) => path.join(shell, `${key}.rc`),
      latest: path.join(shell, "latest"),
      /** What the last warm entry's key was computed from (src/shell/warm-stamp.ts). */
      warmStamp: path.join(shell, "warm.json"),
      profile: path.join(shell, "profile"),
      /** Files the interactive shells start from (zsh/fish wrappers, the bashrc). */
      wrapper: (name: string) => path.join(shell, name),
    },
    testDurations: path.join(state, "tests", "durations.json"),
    /** Lockfiles whose npm tarballs nixkit fetched ahead (src/node/prefetch.ts), by content. */
    npmPrefetched: (key: string) => path.join(state, "npm-prefetched", key),
    /** Reports nixkit wrote into the project (--junit, --report), which are not sources. */
    writtenReports: path.join(state, "written-reports.json"),
    /** The generated files were found fresh by this build of nixkit (src/generate/fresh-stamp.ts). */
    generatedStamp: path.join(state, "generated-fresh"),
    /** The CI files were found fresh by this build of nixkit (src/ci/fresh-stamp.ts). */
    ciStamp: path.join(state, "ci-fresh"),
    /** What `nix build` returned, by the content of what the evaluation reads (src/nix/build-memo.ts). */
    buildMemo: path.join(state, "built.json"),
    /** sha256 of the data files builds and tests pin, by their signature (src/sources/pinned-data.ts). */
    dataHashes: path.join(state, "data-hashes.json"),
    /** Content hashes of the flake source's files, by their lstat (src/sources/flake-source.ts). */
    sourceHashes: path.join(state, "source-hashes.json"),
    /** The machines file written from ci.builders. */
    machines: path.join(state, "machines"),
  };
}

const userDir = (env: NodeJS.ProcessEnv, variable: string, fallback: string) =>
  path.join(env[variable] || path.join(homedir(), fallback), "nixkit");

/** nixkit's per-user cache, shared by every project: $XDG_CACHE_HOME/nixkit (or ~/.cache/nixkit). */
export function userCachePaths(env: NodeJS.ProcessEnv = process.env) {
  const root = userDir(env, "XDG_CACHE_HOME", ".cache");
  return {
    root,
    /** Normalised manifests keyed by the sha256 of nixkit.yaml's bytes. */
    manifest: (sha256: string) => path.join(root, "manifests", `${sha256}.json`),
    nixVersions: path.join(root, "nix-versions.json"),
    /** `nix config show` per nix binary and configuration (src/nix/config-cache.ts). */
    nixConfig: path.join(root, "nix-config.json"),
    /** `npm config get registry` per npm configuration (src/node/npm-config.ts). */
    npmRegistries: path.join(root, "npm-registries.json"),
    /** Integrity hashes npm's registry gave for published versions (src/node/npm-config.ts). */
    npmIntegrities: path.join(root, "npm-integrities.json"),
    /** Where a Python index serves each file of a hashed requirements file (src/python/index.ts). */
    pythonIndexFiles: path.join(root, "python-index-files.json"),
    /** Where each Cargo registry serves crates, per cargo configuration (src/rust/registries.ts). */
    cargoRegistries: path.join(root, "cargo-registries.json"),
    /** Which configured substituters answered, recently. */
    substituters: path.join(root, "substituters.json"),
    layerCache: path.join(root, "image-cache"),
    image: (project: string, image: string) => path.join(root, "images", `${project}-${image}`),
    offlinePkgs: path.join(root, "offline-pkgs"),
    /** Signing keys given as key material, in a file for Nix while a push runs (one 0700 directory per process). */
    signingKeys: path.join(root, "signing-keys"),
    /**
     * Files nixkit downloaded and checked while generating (Go modules, to learn their sha256), by
     * that hash, until the fetch ahead adds them to the store (src/node/prefetch.ts).
     */
    checkedDownloads: path.join(root, "checked-downloads"),
    /** Downloads in progress (npm tarballs fetched ahead), one directory per nixkit process. */
    downloads: path.join(root, "downloads"),
    /** Out-links that root a build's outputs until they are rooted in the project. */
    tmpRoots: path.join(root, "tmp-roots"),
  };
}

/** nixkit's per-user config: $XDG_CONFIG_HOME/nixkit (or ~/.config/nixkit); signing keys live here. */
export function userConfigPaths(env: NodeJS.ProcessEnv = process.env) {
  const root = userDir(env, "XDG_CONFIG_HOME", ".config");
  const keys = path.join(root, "keys");
  return { keys, secretKey: (name: string) => path.join(keys, `${name}.sec`), publicKey: (name: string) => path.join(keys, `${name}.pub`) };
}
