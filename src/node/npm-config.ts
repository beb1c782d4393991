// The npm registry the user's npm would download from (`npm config get registry`, which reads
// the project's .npmrc, the user's and the global one, and npm_config_* variables). Read at run
// time, never written into nixkit: a lockfile without `resolved` fields (npm's
// omit-lockfile-registry-resolved) leaves the registry to the npm configuration.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { binaryFingerprint, realBinary } from "../nix/binary.js";
import { readEntries, writeEntry } from "../state/stamp.js";
import { userCachePaths } from "../state/layout.js";
import { readInside } from "../util/bounded-read.js";
import { EnvError } from "../util/errors.js";
import { redactUrls } from "../util/redact.js";

// Asked once per directory in a run, and remembered across runs by the content of everything npm
// reads the setting from (registryKey): `npm config get` costs a node process of its own.
const answers = new Map<string, string>();

const MAX_NPMRC_BYTES = 1024 * 1024;

/**
 * What npm's answer depends on: the npm and node it runs, npm_config_* variables, and its config
 * files (npm's builtin npmrc, the global and the user one, each .npmrc from the project up) with
 * every variable they interpolate. Undefined, so npm is asked, when a file moves where the others
 * are (prefix, globalconfig, userconfig set in one) or cannot be read.
 */
export function registryKey(npmProjectDir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const npm = realBinary("npm", env);
  const node = realBinary("node", env);
  if (!npm || !node) return undefined;
  const hash = createHash("sha256").update(`nixkit-npm-registry-1\0${binaryFingerprint(npm, env)}\0${binaryFingerprint(node, env)}\0`);
  const settings = Object.keys(env)
    .filter((name) => /^npm_config_/i.test(name))
    .sort();
  for (const name of settings) hash.update(`${name}=${env[name]}\0`);
  const files = npmUserConfigFiles(npm, node, env);
  for (let dir = npmProjectDir; ; dir = path.dirname(dir)) {
    files.push(path.join(dir, ".npmrc"));
    if (dir === path.dirname(dir)) break;
  }
  for (const file of files) {
    const stat = statSync(file, { throwIfNoEntry: false });
    // A FIFO, a device or a huge file is left to npm (which is asked, as before).
    if (stat && (!stat.isFile() || stat.size > MAX_NPMRC_BYTES)) return undefined;
    let text = "\0absent";
    try {
      if (stat) text = readFileSync(file, "utf8");
    } catch {
      return undefined;
    }
    if (/^\s*(prefix|globalconfig|userconfig)\s*=/m.test(text)) return undefined;
    hash.update(`${file}\0${text.length}\0${text}\0`);
    for (const [, name] of text.matchAll(/\$\{([^}]+)\}/g)) hash.update(`\${${name}}=${env[name!] ?? "\0unset"}\0`);
  }
  return hash.digest("hex");
}

/**
 * The config files npm reads before the project's, least binding first: its builtin npmrc (in
 * npm's own directory: bin/npm-cli.js is two levels down), the global one and the user's.
 */
export function npmUserConfigFiles(npm: string, node: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const npmRoot = path.dirname(path.dirname(npm));
  const prefix = env.PREFIX || path.dirname(path.dirname(node));
  return [path.join(npmRoot, "npmrc"), path.join(prefix, "etc", "npmrc"), path.join(env.HOME ?? os.homedir(), ".npmrc")];
}

/** What a failed npm process said: its first `lines` lines of stderr (URLs redacted), and its spawn error code. */
function npmFailure(error: unknown, lines: number): { code?: string; said: string } {
  const { code, stderr } = error as { code?: string; stderr?: string };
  const said = redactUrls((stderr ?? "").trim())
    .split("\n")
    .filter(Boolean)
    .slice(0, lines)
    .join(" / ");
  return { code, said };
}

const checkOf = (key: string, registry: string) => createHash("sha256").update(`${key}\0${registry}`).digest("hex");

function remembered(key: string): string | undefined {
  const entry = readEntries(userCachePaths().npmRegistries)[key] as { registry?: string; check?: string } | undefined;
  return entry?.registry && entry.check === checkOf(key, entry.registry) ? entry.registry : undefined;
}

const remember = (key: string, registry: string) =>
  writeEntry(userCachePaths().npmRegistries, key, { registry, check: checkOf(key, registry) }, 16);

/**
 * `projectDir` bounds the .npmrc files npm would read from the project (regular files inside it,
 * capped); `needed` says why the registry is needed, for the failure's message.
 */
export function npmRegistry(
  npmProjectDir: string,
  projectDir: string,
  needed = 'package-lock.json has packages without a "resolved" URL',
  fix = "run `npm install` with omit-lockfile-registry-resolved=false so the lockfile records URLs",
): string {
  const known = answers.get(npmProjectDir);
  if (known) return known;
  for (let dir = npmProjectDir; ; dir = path.dirname(dir)) {
    readInside(projectDir, path.join(dir, ".npmrc"), "config");
    if (path.relative(projectDir, dir) === "" || dir === path.dirname(dir)) break;
  }
  const key = registryKey(npmProjectDir);
  const cached = key ? remembered(key) : undefined;
  if (cached) {
    answers.set(npmProjectDir, cached);
    return cached;
  }
  let registry: string;
  try {
    registry = execFileSync("npm", ["config", "get", "registry"], {
      cwd: npmProjectDir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, npm_config_update_notifier: "false" },
    }).trim();
  } catch (error) {
    const { code, said } = npmFailure(error, 3);
    const remedy = code === "ENOENT" ? "install npm" : "fix npm's configuration (npm says why above: an .npmrc, npm_config_* variables)";
    throw new EnvError(
      `${needed}, and \`npm config get registry\` failed${code === "ENOENT" ? " (npm is not on PATH)" : said ? `: ${said}` : ""}; ${remedy}, or ${fix}`,
    );
  }
  if (!/^https?:\/\/[^\s]+$/.test(registry))
    throw new EnvError(
      `npm's registry setting is not an http(s) URL (${redactUrls(registry)}); set registry= in .npmrc to the registry's https URL`,
    );
  const answer = registry.replace(/\/+$/, "");
  answers.set(npmProjectDir, answer);
  if (key) remember(key, answer);
  return answer;
}

/**
 * The integrity npm's registry gives `spec` (e.g. pnpm@10.1.0), asked with the user's npm and its
 * configuration (registry, proxy, auth); remembered per registry, as a published version never changes.
 */
export function npmViewIntegrity(spec: string, npmProjectDir: string, registry: string): string {
  const key = `${registry}\0${spec}`;
  const known = readEntries(userCachePaths().npmIntegrities)[key];
  if (typeof known === "string") return known;
  let integrity: string;
  try {
    integrity = execFileSync("npm", ["view", spec, "dist.integrity"], {
      cwd: npmProjectDir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, npm_config_update_notifier: "false" },
      timeout: 60_000,
    }).trim();
  } catch (error) {
    const { code, said } = npmFailure(error, 2);
    throw new EnvError(
      `\`npm view ${spec} dist.integrity\` failed${code === "ENOENT" ? " (npm is not on PATH)" : said ? `: ${said}` : ""}`,
    );
  }
  if (!/^sha512-[A-Za-z0-9+/]{86}==$/.test(integrity)) throw new EnvError(`npm's registry gave no sha512 integrity for ${spec}`);
  writeEntry(userCachePaths().npmIntegrities, key, integrity, 64);
  return integrity;
}
