// The warm path of `nixkit run` and `nixkit shell`: parse the few options they take, and serve
// the cached environment with no nix process (or, when only the cache is missing and the
// generated files are fresh, make it with one). Anything else goes to the full CLI.
import { existsSync } from "node:fs";
import path from "node:path";
import { projectPaths } from "../state/layout.js";
import { readTextInside } from "../util/bounded-read.js";
import { findProjectDir } from "../state/project-dir.js";
import { leadingOptions } from "../util/leading-options.js";
import { interactiveShell, runInEnv } from "./launch.js";
import { stampedRcFile } from "./warm-stamp.js";

interface WarmInvocation {
  command: "run" | "shell";
  projectDir: string;
  workDir: string;
  nixpkgsOverride?: string;
  pure: boolean;
  args: string[];
}

export function parseWarm(argv: string[], env: NodeJS.ProcessEnv): WarmInvocation | undefined {
  const { directory, nixpkgs, next: i } = leadingOptions(argv, env);
  const command = argv[i];
  if (command !== "run" && command !== "shell") return undefined;
  let pure = false;
  let j = i + 1;
  for (; j < argv.length && argv[j] !== "--"; j++) {
    if (argv[j] === "--pure") pure = true;
    else return undefined; // any other option: let the full CLI parse (and explain) it
  }
  const args = argv.slice(j + 1);
  if (command === "run" && args.length === 0) return undefined;
  if (command === "shell" && j < argv.length) return undefined;
  const projectDir = findProjectDir(directory);
  return { command, projectDir, workDir: directory !== undefined ? projectDir : process.cwd(), nixpkgsOverride: nixpkgs, pure, args };
}

const manifestText = (projectDir: string): string => {
  try {
    return readTextInside(projectDir, projectPaths(projectDir).manifest, "manifest") ?? "";
  } catch {
    return "";
  }
};

/** The manifest's `name` (a plain top-level scalar, so no YAML parser is needed), for the prompt. */
function projectNameOf(projectDir: string): string {
  const match = manifestText(projectDir).match(/^name:\s*["']?([a-z][a-z0-9_-]*)["']?\s*(?:#.*)?$/m);
  return match ? match[1]! : path.basename(projectDir);
}

/** The exit status when served here, or undefined to hand over to the full CLI. */
export async function runWarm(argv: string[], env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const invocation = parseWarm(argv, env);
  if (!invocation) return undefined;
  const rcFile = stampedRcFile(invocation.projectDir, invocation.nixpkgsOverride) ?? (await unstampedRcFile(invocation));
  if (!rcFile) return undefined;
  const launch = { rcFile, projectDir: invocation.projectDir, workDir: invocation.workDir, pure: invocation.pure };
  return invocation.command === "run" ? runInEnv(launch, invocation.args) : interactiveShell(launch, projectNameOf(invocation.projectDir));
}

/** The environment script by its key (loading node:crypto), or made by one nix call; undefined to hand over. */
async function unstampedRcFile(invocation: WarmInvocation): Promise<string | undefined> {
  const { cachedRc, damagedRcWarning, directPrintDevEnv, makeEnv, warmFailure } = await import("./dev-env.js");
  const cached = cachedRc(invocation);
  if (cached.state === "ok") return cached.file;
  if (cached.state === "damaged") process.stderr.write(`warning: ${damagedRcWarning(cached.file)}\n`);
  // A binary cache is probed and passed by the full CLI, so that print-dev-env uses it too; a
  // pnpm, yarn or Python lockfile's packages are written into flake.nix, which only the full CLI sees is stale.
  const manifest = manifestText(invocation.projectDir);
  if (/^cache:/m.test(manifest) || /pnpm-lock\.yaml|yarn\.lock|lockfile:\s*["']?[^\s"',}]*\.(lock|txt)\b/.test(manifest)) return undefined;
  // (or a `node` field that names no lockfile, in a project locked by pnpm or yarn: src/manifest/default-lockfile.ts)
  if (/\bnode:/.test(manifest) && ["pnpm-lock.yaml", "yarn.lock"].some((f) => existsSync(path.join(invocation.projectDir, f))))
    return undefined;
  const { generatedFilesFresh, generatedFilesVisible } = await import("../generate/freshness.js");
  // The full CLI regenerates them, or makes git (and so Nix) see them.
  if (!generatedFilesFresh(invocation.projectDir) || !generatedFilesVisible(invocation.projectDir)) return undefined;
  process.stderr.write("nixkit: preparing the dev environment (nix print-dev-env)…\n");
  const made = await makeEnv(invocation, directPrintDevEnv(invocation));
  // The full CLI, in this same process, explains the failure without making it again.
  if (!made.rcFile) warmFailure.keep(invocation, made.failure);
  return made.rcFile;
}
