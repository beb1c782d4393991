// `nix config show --json`, remembered per nix binary and configuration: the settings nixkit
// reads (substituters, sandbox) change only when a nix.conf or the environment Nix reads them
// from does, and a nix process per command for them is waste. The key holds the binary's
// fingerprint, those variables and the bytes of every file Nix reads its configuration from
// (src/libstore/globals.cc: NIX_CONF_DIR's nix.conf, then NIX_USER_CONF_FILES or the XDG
// config dirs' nix/nix.conf). A file that includes others is not followed: nothing is cached then.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readEntries, writeEntry } from "../state/stamp.js";
import { userCachePaths } from "../state/layout.js";
import { binaryFingerprint } from "./binary.js";

const ENV_READ = ["NIX_CONFIG", "NIX_CONF_DIR", "NIX_USER_CONF_FILES", "XDG_CONFIG_HOME", "XDG_CONFIG_DIRS", "HOME", "NIX_REMOTE"];
const MAX_CONF_BYTES = 1024 * 1024;

/** The files Nix reads its configuration from, in its order. */
export function configFiles(env: NodeJS.ProcessEnv): string[] {
  const system = path.join(env.NIX_CONF_DIR || "/etc/nix", "nix.conf");
  if (env.NIX_USER_CONF_FILES !== undefined) return [system, ...env.NIX_USER_CONF_FILES.split(":").filter(Boolean)];
  const home = env.HOME ?? os.homedir();
  const dirs = [env.XDG_CONFIG_HOME ?? path.join(home, ".config"), ...(env.XDG_CONFIG_DIRS ?? "/etc/xdg").split(":").filter(Boolean)];
  return [system, ...dirs.map((dir) => path.join(dir, "nix", "nix.conf"))];
}

/** The key of this configuration, or undefined when it cannot be known without Nix (an include, an unreadable file). */
export function configKey(binary: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fingerprint = binaryFingerprint(binary, env);
  if (!fingerprint) return undefined;
  const hash = createHash("sha256").update(`nixkit-nix-config-1\0${fingerprint}\0`);
  for (const name of ENV_READ) hash.update(`${name}=${env[name] ?? "\0unset"}\0`);
  if (/^\s*!?include\s/m.test(env.NIX_CONFIG ?? "")) return undefined;
  for (const file of configFiles(env)) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") return undefined;
      bytes = Buffer.from("\0absent");
    }
    if (bytes.length > MAX_CONF_BYTES || /^\s*!?include\s/m.test(bytes.toString("utf8"))) return undefined;
    hash.update(`${file}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest("hex");
}

type Settings = Record<string, unknown>;
interface Entry {
  settings: Settings;
  check: string;
}
const checkOf = (key: string, settings: Settings) =>
  createHash("sha256")
    .update(`${key}\0${JSON.stringify(settings)}`)
    .digest("hex");
// One entry per configuration seen lately; older ones are dropped.
const KEEP = 8;

/** The settings for this binary and configuration: remembered, or asked of Nix (and then remembered). */
export async function cachedConfiguration(binary: string, ask: () => Promise<Settings | undefined>): Promise<Settings> {
  const key = configKey(binary);
  const file = userCachePaths().nixConfig;
  const entry = key ? (readEntries(file)[key] as Entry | undefined) : undefined;
  if (key && entry?.settings && entry.check === checkOf(key, entry.settings)) return entry.settings;
  const settings = await ask();
  if (!settings) return {};
  if (key) writeEntry(file, key, { settings, check: checkOf(key, settings) }, KEEP);
  return settings;
}
