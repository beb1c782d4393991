// The checks of `nixkit doctor`: Nix, flakes, the sandbox, the store, disk space, the generated
// files and the binary cache, each PASS, WARN or FAIL with a fix.
import { constants, existsSync, promises as fs } from "node:fs";
import path from "node:path";
import { describeDrift, findDrift } from "../generate/freshness.js";
import { generatedPaths, generatePlan, readPlanInputs } from "../generate/plan.js";
import { loadManifest, type LoadedManifest } from "../manifest/load.js";
import type { NixDriver, StoreInfo } from "../nix/driver.js";
import { probeCache, untrustedFix, type BinaryCache } from "../nix/substituters.js";
import { offlineSetProblem } from "../offline/prepare.js";
import { IMMUTABLE_MARKER } from "../state/layout.js";
import { NixkitError } from "../util/errors.js";
import { insideGitRepo, knownToGit } from "../util/git.js";
import { machineProblems, manifestMachines, type Machine } from "../nix/machines.js";
import { shellQuote } from "../util/shell-quote.js";
import { untrackedSources } from "../sources/untracked.js";
import { generatedNegations } from "../generate/gitignore.js";

export type Status = "PASS" | "WARN" | "FAIL";
export interface Check {
  name: string;
  status: Status;
  detail: string;
  fix?: string;
}

const GiB = 1024 ** 3;
const DAEMON_SOCKET = "/nix/var/nix/daemon-socket/socket";

export async function doctorChecks(driver: NixDriver, projectDir: string, nixpkgsOverride?: string): Promise<Check[]> {
  const checks: Check[] = [];
  let nixOk = false;
  try {
    const { version } = await driver.detect();
    // nixpkgs' lib/minver.nix: 2.18 since nixos-25.11. An older Nix still runs nixkit (and the
    // offline package set, or an older nixpkgs), but cannot evaluate current nixpkgs.
    const current = version.lix || version.major > 2 || version.minor >= 18;
    checks.push(
      current
        ? { name: "nix", status: "PASS", detail: version.text }
        : {
            name: "nix",
            status: "WARN",
            detail: `${version.text}: current nixpkgs (nixos-25.11 and newer) needs Nix 2.18 or newer; this one can use only older nixpkgs or the offline package set`,
            fix: "upgrade Nix (Debian 13's nix-bin is 2.26), or pin nixpkgs to nixos-25.05 in nixkit.yaml",
          },
    );
    nixOk = true;
  } catch (error) {
    checks.push({
      name: "nix",
      status: "FAIL",
      detail: (error as Error).message,
      fix: "install Nix 2.8 or newer (Debian: apt-get install nix-bin)",
    });
  }
  if (nixOk) {
    const flakesProblem = await driver.flakesProblem();
    checks.push(
      flakesProblem === undefined
        ? { name: "flakes", status: "PASS", detail: "nix-command and flakes are usable" }
        : { name: "flakes", status: "FAIL", detail: flakesProblem, fix: "upgrade Nix to 2.8 or newer" },
    );
    // Through a daemon, its settings decide: those of the system's nix.conf, not the user's.
    const info = await driver.storeInfo();
    const daemon = info ? info.url === "daemon" : existsSync(DAEMON_SOCKET) && process.getuid?.() !== 0;
    const system = daemon ? await driver.systemSettings() : undefined;
    const sandbox = system ? (system.sandbox === undefined ? undefined : String(system.sandbox)) : await driver.sandboxSetting();
    checks.push(sandboxCheck(sandbox, driver.ctx.canSetSandbox, process.platform, daemon));
    if (system) checks.push(daemonSubstitutersCheck(system));
  }

  const offline = offlineSetCheck(nixpkgsOverride);
  if (offline) checks.push(offline);
  checks.push(await storeCheck());
  checks.push(await diskCheck());
  let loaded: LoadedManifest | Error;
  try {
    loaded = await loadManifest(projectDir);
  } catch (error) {
    loaded = error instanceof Error ? error : new Error(String(error));
  }
  checks.push(await freshnessCheck(projectDir, loaded));
  if (!(loaded instanceof Error) && insideGitRepo(projectDir)) checks.push(gitCheck(projectDir, loaded));
  const cache = loaded instanceof Error ? undefined : loaded.manifest.cache;
  if (nixOk) {
    const trust = trustCheck(await driver.storeInfo(), cache?.url ? { url: cache.url, publicKeys: cache.publicKeys } : undefined);
    if (trust) checks.push(trust);
  }
  if (cache?.url) checks.push(await cacheCheck(cache.url));
  if (nixOk && !(loaded instanceof Error)) checks.push(...(await builderChecks(driver, loaded.manifest.ci.builders)));
  return checks;
}

/** Each of ci.builders opened as a store (ssh, its key and host key, Nix on the other side), with a timeout. */
async function builderChecks(driver: NixDriver, lines: string[]): Promise<Check[]> {
  return (await machineProblems(driver, manifestMachines(lines))).map(({ machine: m, problem }) =>
    problem
      ? {
          name: "builder",
          status: "FAIL",
          detail: `${m.uri} cannot be reached: ${problem}`,
          fix: `check that \`${sshCommand(m)}\` works from here, or remove it from ci.builders`,
        }
      : { name: "builder", status: "PASS", detail: `${m.uri} answers (${m.systems.join(", ") || "this system"})` },
  );
}

/** The ssh command that reaches a builder as Nix does, each word shell-quoted where it needs it. */
export function sshCommand(m: Machine): string {
  const [, login, port] = /^ssh(?:-ng)?:\/\/((?:[^@/]+@)?(?:\[[^\]]+\]|[^:]+))(?::(\d+))?$/.exec(m.uri) ?? [];
  const words = ["ssh", ...(m.sshKey ? ["-i", m.sshKey] : []), ...(port ? ["-p", port] : []), login ?? m.uri, "nix-store", "--version"];
  return words.map((w) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : shellQuote(w))).join(" ");
}

/** Whether the store (a nix-daemon, for most users) trusts this user: if not, it drops the project's cache. */
export function trustCheck(info: StoreInfo | undefined, cache: BinaryCache | undefined): Check | undefined {
  if (!info || info.trusted === undefined) return undefined;
  const store = `${info.url === "daemon" ? "nix-daemon" : (info.url ?? "the store")}${info.version ? ` (Nix ${info.version})` : ""}`;
  if (info.trusted) return { name: "trust", status: "PASS", detail: `${store} trusts this user` };
  const detail = `${store} does not trust this user: it ignores the substituters and keys nixkit passes`;
  if (!cache) return { name: "trust", status: "PASS", detail: `${detail} (the project has no cache)` };
  return { name: "trust", status: "WARN", detail, fix: untrustedFix(cache) };
}

export function sandboxCheck(
  value: string | undefined,
  canSet: boolean,
  platform: NodeJS.Platform = process.platform,
  daemon = false,
): Check {
  const source = daemon ? " in the nix-daemon's nix.conf" : "";
  if (value === "true") return { name: "sandbox", status: "PASS", detail: `sandbox = true${source}` };
  // Nix on macOS ships with the sandbox off, and much of nixpkgs does not build in it.
  if (platform === "darwin") {
    return {
      name: "sandbox",
      status: "WARN",
      detail: `sandbox = ${value ?? "unknown"} (macOS's default); builds see the host's files and network, so results may differ from Linux CI`,
      fix: "set `sandbox = relaxed` (or true) in /etc/nix/nix.conf and restart nix-daemon, or build on Linux for hermetic results",
    };
  }
  const fix = "set `sandbox = true` in /etc/nix/nix.conf (and restart nix-daemon if one runs)";
  if (canSet) {
    return {
      name: "sandbox",
      status: "WARN",
      detail: `sandbox = ${value ?? "unknown"} in nix.conf; nixkit turns it on for its own builds, plain nix commands will not`,
      fix,
    };
  }
  return {
    name: "sandbox",
    status: "FAIL",
    detail: `sandbox = ${value ?? "unknown"}${source}; builds and tests would not be hermetic`,
    fix,
  };
}

/** The substituters a nix-daemon uses for everyone, and those it lets untrusted users add. */
export function daemonSubstitutersCheck(system: Record<string, unknown>): Check {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String).join(" ") : String(v ?? "")) || "none";
  return {
    name: "substituters",
    status: "PASS",
    detail: `the nix-daemon's: ${list(system.substituters)}; trusted-substituters: ${list(system["trusted-substituters"])}`,
  };
}

async function storeCheck(): Promise<Check> {
  if (existsSync(DAEMON_SOCKET)) return { name: "store", status: "PASS", detail: `nix-daemon at ${DAEMON_SOCKET}` };
  try {
    await fs.mkdir("/nix/store", { recursive: true });
    await fs.access("/nix/store", constants.W_OK);
    return { name: "store", status: "PASS", detail: "/nix/store is writable (single-user)" };
  } catch {
    return {
      name: "store",
      status: "FAIL",
      detail: "no nix-daemon and /nix/store is not writable",
      fix: "start nix-daemon, or run as the store's owner",
    };
  }
}

async function diskCheck(): Promise<Check> {
  try {
    const stats = await fs.statfs(existsSync("/nix/store") ? "/nix/store" : "/");
    const free = stats.bavail * stats.bsize;
    const detail = `${(free / GiB).toFixed(1)} GiB free for /nix/store`;
    if (free < 1 * GiB) return { name: "disk", status: "FAIL", detail, fix: "free space, or run `nix store gc`" };
    if (free < 5 * GiB) return { name: "disk", status: "WARN", detail, fix: "builds may run out of space; run `nix store gc`" };
    return { name: "disk", status: "PASS", detail };
  } catch (error) {
    return { name: "disk", status: "WARN", detail: `cannot read free space: ${(error as Error).message}` };
  }
}

/** The manifest's binary cache: does it answer, and may this user add it? */
async function cacheCheck(url: string): Promise<Check> {
  const problem = await probeCache(url);
  if (problem)
    return {
      name: "cache",
      status: "WARN",
      detail: `${url}: ${problem}; builds skip it`,
      fix: "check the URL and the network, or remove cache.url",
    };
  if (process.getuid?.() !== 0 && existsSync(DAEMON_SOCKET)) {
    return {
      name: "cache",
      status: "PASS",
      detail: `${url} answers (the nix-daemon uses it only if you are in trusted-users or it is in trusted-substituters)`,
    };
  }
  return { name: "cache", status: "PASS", detail: `${url} answers` };
}

async function freshnessCheck(projectDir: string, loaded: LoadedManifest | Error): Promise<Check> {
  try {
    if (loaded instanceof Error) throw loaded;
    const { manifest, text } = loaded;
    const drifts = await findDrift(projectDir, generatePlan(manifest, text, await readPlanInputs(manifest, text, projectDir)));
    if (drifts.length === 0) return { name: "generated", status: "PASS", detail: "flake.nix and .nixkit/lib match nixkit.yaml" };
    return { name: "generated", status: "WARN", detail: drifts.map(describeDrift).join("; "), fix: "run `nixkit generate`" };
  } catch (error) {
    const message = error instanceof NixkitError ? error.message.split("\n")[0]! : String(error);
    return { name: "generated", status: "WARN", detail: message, fix: "fix nixkit.yaml, or run `nixkit init`" };
  }
}

/** The --nixpkgs set, when it is an offline package set nixkit prepared: is it whole? */
function offlineSetCheck(nixpkgsOverride: string | undefined): Check | undefined {
  const dir = nixpkgsOverride?.match(/^path:(.*)$/)?.[1];
  if (!dir || !existsSync(path.join(dir, IMMUTABLE_MARKER))) return undefined;
  const problem = offlineSetProblem(dir);
  if (!problem) return { name: "nixpkgs", status: "PASS", detail: `offline package set ${dir}` };
  return {
    name: "nixpkgs",
    status: "FAIL",
    detail: `the offline package set ${dir} is damaged: ${problem}`,
    fix: "run `nixkit offline-pkgs`, which prepares it again",
  };
}

/** In a git repository Nix sees only what git knows: the generated files, and every file a src matches. */
function gitCheck(projectDir: string, loaded: LoadedManifest): Check {
  const generated = generatedPaths();
  const negations = generatedNegations(projectDir);
  if (negations.length > 0) {
    return {
      name: "git",
      status: "FAIL",
      detail: `.gitignore's rules match what nixkit generates (${negations.map((n) => n.slice(2)).join(", ")}), so git, and with it Nix, does not see it`,
      fix: `run \`nixkit generate\`: it adds ${negations.map((n) => `\`${n}\``).join(", ")} to .gitignore and registers the files`,
    };
  }
  const known = knownToGit(projectDir, generated);
  const unknown = generated.filter((f) => !known.has(f));
  if (unknown.length) {
    return {
      name: "git",
      status: "FAIL",
      detail: `git does not know ${unknown.join(", ")}, so Nix does not see them`,
      fix: "run `nixkit generate` (it registers them) or `git add flake.nix .nixkit`",
    };
  }
  const { manifest } = loaded;
  const missed = new Map([
    ...untrackedSources(projectDir, manifest, "builds", Object.keys(manifest.builds)),
    ...untrackedSources(projectDir, manifest, "tests", Object.keys(manifest.tests)),
  ]);
  if (missed.size) {
    const files = [...missed.keys()];
    const shown = files.slice(0, 5).join(", ") + (files.length > 5 ? ` and ${files.length - 5} more` : "");
    return {
      name: "git",
      status: "WARN",
      detail: `builds or tests match files git does not track, which Nix leaves out: ${shown}`,
      fix: `git add ${files.slice(0, 5).join(" ")}`,
    };
  }
  return { name: "git", status: "PASS", detail: "the generated files and every source file are known to git" };
}
