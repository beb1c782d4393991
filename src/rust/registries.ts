// Where each registry a Cargo.lock names serves its .crate files, as the user's cargo is
// configured (a mirror in `[source]`, an alternative registry, crates.io itself): nixkit never
// names a registry itself. Cargo is asked once per set of registries and cargo configuration:
// `cargo vendor --respect-source-config` downloads the crates (checked against Cargo.lock by cargo)
// and says which source names to replace, and the sparse index's config.json, which cargo keeps in
// its home, gives the download address (its `dl`).
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "smol-toml";
import { readEntries, writeEntries } from "../state/stamp.js";
import { keepChecked } from "../state/checked-downloads.js";
import { userCachePaths } from "../state/layout.js";
import { EnvError, UserError } from "../util/errors.js";
import { sha256, sriOf } from "../util/hash.js";
import { redactUrls } from "../util/redact.js";
import type { CargoLock, Crate } from "./cargo-lock.js";

export interface CargoRegistry {
  /** The source name cargo's configuration replaces (`crates-io`, or the registry's own). */
  name: string;
  /** The registry's index, for a source other than crates-io (`registry = …` in the replacement). */
  registry: string | null;
  /** The download address, with cargo's markers ({crate}, {version}, {prefix}, {lowerprefix}, {sha256-checksum}). */
  dl: string;
}

const cargoHome = (env: NodeJS.ProcessEnv) => env.CARGO_HOME || path.join(env.HOME || os.homedir(), ".cargo");

/** The cargo configuration files that apply in `dir`, with their contents: what the answer depends on. */
function configSignature(dir: string, env: NodeJS.ProcessEnv): string {
  const files: string[] = [];
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    files.push(path.join(at, ".cargo/config.toml"), path.join(at, ".cargo/config"));
    if (path.dirname(at) === at) break;
  }
  files.push(path.join(cargoHome(env), "config.toml"), path.join(cargoHome(env), "config"));
  const contents = files.filter((f) => existsSync(f)).map((f) => [f, readFileSync(f, "utf8")]);
  const variables = Object.entries(env).filter(([name]) => /^CARGO_(REGISTRIES|REGISTRY|SOURCE|UNSTABLE)_/.test(name));
  return sha256(JSON.stringify([contents, variables.sort()]));
}

/** The `dl` of a registry's config.json as a template with cargo's markers (none: cargo appends /{crate}/{version}/download). */
const dlTemplate = (dl: string): string =>
  /\{(crate|version|prefix|lowerprefix|sha256-checksum)\}/.test(dl) ? dl : `${dl.replace(/\/+$/, "")}/{crate}/{version}/download`;

function runCargo(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("cargo", args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 600_000 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
      reject(
        new EnvError(
          missing
            ? "cargo is not on PATH: nixkit asks the cargo you use where your registries serve crates (install Rust, e.g. with rustup)"
            : `\`cargo ${args.slice(0, 2).join(" ")}\` failed in ${cwd}, so nixkit cannot tell where your registry serves crates:\n${redactUrls(stderr.trim().split("\n").slice(-8).join("\n"))}`,
        ),
      );
    });
  });
}

/** The source names `cargo vendor` says to replace, with their index (none for crates-io). */
function replacedSources(vendorConfig: string): { name: string; registry: string | null }[] {
  const config = parse(vendorConfig) as { source?: Record<string, { "replace-with"?: string; registry?: string }> };
  return Object.entries(config.source ?? {})
    .filter(([, table]) => table["replace-with"] !== undefined)
    .map(([name, table]) => ({ name, registry: table.registry ?? null }));
}

const indexUrl = (source: string) => source.replace(/^registry\+/, "");

/** Each registry source of `lock`, with what Nix needs to fetch its crates; `shown`: Cargo.lock as messages name it. */
export async function cargoRegistries(
  workspaceDir: string,
  lock: CargoLock,
  shown: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Record<string, CargoRegistry>> {
  if (lock.sources.length === 0) return {};
  const cacheFile = userCachePaths(env).cargoRegistries;
  const key = sha256(JSON.stringify([lock.sources, configSignature(workspaceDir, env)]));
  const cached = readEntries(cacheFile)[key] as Record<string, CargoRegistry> | undefined;
  if (cached && lock.sources.every((s) => cached[s])) return cached;

  const temp = mkdtempSync(path.join(os.tmpdir(), "nixkit-cargo-vendor-"));
  try {
    const vendorConfig = await runCargo(
      [
        "vendor",
        "--locked",
        "--respect-source-config",
        "--versioned-dirs",
        "--manifest-path",
        path.join(workspaceDir, "Cargo.toml"),
        path.join(temp, "vendor"),
      ],
      workspaceDir,
      env,
    );
    const named = replacedSources(vendorConfig);
    const home = cargoHome(env);
    const registries: Record<string, CargoRegistry> = {};
    for (const source of lock.sources) {
      const crates = lock.crates.filter((c) => c.source === source);
      // An alternative registry's replacement names its index; what is left is crates-io.
      const replacement =
        named.find((n) => n.registry !== null && (n.registry === source || n.registry === indexUrl(source))) ??
        named.find((n) => n.name === "crates-io");
      const dl = downloadTemplate(home, crates);
      if (!replacement || !dl)
        throw new UserError(
          `${shown}: nixkit cannot tell where ${redactUrls(source)} serves crates: it reads the \`dl\` address from the config.json of a sparse registry index in ${home}/registry/index; use the sparse protocol for it (cargo's default since 1.70; \`[registries.NAME] protocol = "sparse"\`)`,
        );
      registries[source] = { name: replacement.name, registry: replacement.registry, dl };
    }
    keepDownloads(home, lock.crates, env);
    writeEntries(cacheFile, { [key]: registries }, 200);
    return registries;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** The index directory in cargo's home that holds `crates` (cargo names it after the index), and its config.json's `dl`. */
function downloadTemplate(home: string, crates: Crate[]): string | undefined {
  const cacheDir = path.join(home, "registry/cache");
  const dirs = existsSync(cacheDir) ? readdirSync(cacheDir) : [];
  const crate = crates[0];
  if (!crate) return undefined;
  for (const dir of dirs) {
    if (!existsSync(path.join(cacheDir, dir, `${crate.name}-${crate.version}.crate`))) continue;
    try {
      const config = JSON.parse(readFileSync(path.join(home, "registry/index", dir, "config.json"), "utf8")) as { dl?: unknown };
      if (typeof config.dl === "string") return dlTemplate(config.dl);
    } catch {
      // a git index keeps config.json inside its repository
    }
  }
  return undefined;
}

/** Hands the .crate files cargo downloaded (and checked against Cargo.lock) to the fetch ahead, which checks them again. */
function keepDownloads(home: string, crates: Crate[], env: NodeJS.ProcessEnv): void {
  const cacheDir = path.join(home, "registry/cache");
  const dirs = existsSync(cacheDir) ? readdirSync(cacheDir) : [];
  for (const crate of crates) {
    const file = dirs.map((d) => path.join(cacheDir, d, `${crate.name}-${crate.version}.crate`)).find(existsSync);
    if (file) keepChecked(file, sriOf(crate.checksum), env);
  }
}
