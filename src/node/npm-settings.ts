// The settings of a project's .npmrc that change what `npm ci` (or pnpm) installs: the lockfile was made
// with them, and without them npm ci re-resolves the tree (a peer-dependency conflict then needs
// registry metadata, which the sandbox cannot fetch: ENOTCACHED). Only these are carried into
// the sandboxed install, each a plain value; auth lines, registries and ${VAR} values never are.
// The user's own ~/.npmrc is not read: the install must be the same on every machine.
import path from "node:path";
import { readTextInside } from "../util/bounded-read.js";

const INSTALL_SETTINGS = new Set([
  "legacy-peer-deps",
  "strict-peer-deps",
  "install-links",
  "engine-strict",
  "omit",
  "include",
  "install-strategy",
  "force",
]);

/** The install settings of the .npmrc in `npmDir` (the npm project), by name. */
export function npmInstallSettings(projectDir: string, npmDir: string): Record<string, string> {
  return npmrcSettings(projectDir, npmDir, (key) => INSTALL_SETTINGS.has(key));
}

// pnpm reads its own settings from .npmrc too (node-linker, hoisting, peers…), many more than
// npm's: every one is kept except what names a registry, a credential, a proxy or a directory of
// this machine.
const NOT_INSTALL_SETTINGS =
  /(^|:)(registry|_auth|_authToken|_password|username|password|email|certfile|keyfile|cert|key|ca|cafile|proxy|https-proxy|http-proxy|noproxy|no-proxy|store-dir|cache-dir|global-dir|global-bin-dir|state-dir|virtual-store-dir|modules-dir|npm-path|script-shell|shell-emulator|git-shallow-hosts|user-agent)$/;

/** The settings of the .npmrc in `pnpmDir` that change pnpm's install, by name. */
export function pnpmInstallSettings(projectDir: string, pnpmDir: string): Record<string, string> {
  return npmrcSettings(projectDir, pnpmDir, (key) => !NOT_INSTALL_SETTINGS.test(key));
}

function npmrcSettings(projectDir: string, dir: string, keep: (key: string) => boolean): Record<string, string> {
  const text = readTextInside(projectDir, path.join(dir, ".npmrc"), "config") ?? "";
  const settings: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const match = /^([A-Za-z][\w-]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    const [, key, value] = match;
    const plain = value!.replace(/^(["'])(.*)\1$/, "$2");
    if (keep(key!) && /^[A-Za-z0-9._,*@/-]*$/.test(plain)) settings[key!] = plain;
  }
  return settings;
}
