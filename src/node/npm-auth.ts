// Private registries as npm finds them in its configuration files: a scope's registry
// (`@corp:registry=URL`) and a registry's credentials (`//HOST/PATH/:_authToken=…`, `:_auth=…`,
// `:username=` with `:_password=`), `${VAR}` read from the environment. Read at run time from the
// user's files: scope registries (URLs only) go into flake.nix, credentials only into the
// Authorization header of nixkit's own downloads, never into a file, the store or the output.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { realBinary } from "../nix/binary.js";
import { UserError } from "../util/errors.js";
import { redactUrls } from "../util/redact.js";
import { npmUserConfigFiles } from "./npm-config.js";

const MAX_NPMRC_BYTES = 1024 * 1024;

export interface NpmrcView {
  /** "@scope" -> its registry, without a trailing slash. */
  scopes: Record<string, string>;
  /** The Authorization header for a URL npm would send credentials to, if any. */
  authorization(url: string): string | undefined;
}

/**
 * What npm's config files say, most binding last: npm's builtin, global and user files, then the
 * project's .npmrc files from `projectDir` down to each of `npmDirs` (the npm projects).
 */
export function readNpmrc(projectDir: string, npmDirs: string[], env: NodeJS.ProcessEnv = process.env): NpmrcView {
  const npm = realBinary("npm", env);
  const node = realBinary("node", env);
  const files = npm && node ? npmUserConfigFiles(npm, node, env) : [];
  if (env.npm_config_userconfig) files[2] = env.npm_config_userconfig;
  for (const dir of npmDirs) {
    const chain: string[] = [];
    for (let d = dir; ; d = path.dirname(d)) {
      chain.unshift(path.join(d, ".npmrc"));
      if (path.relative(projectDir, d) === "" || d === path.dirname(d)) break;
    }
    files.push(...chain.filter((f) => !files.includes(f)));
  }
  const settings = new Map<string, string>();
  for (const file of files) for (const [key, value] of parseNpmrc(readSmall(file), env)) settings.set(key, value);
  const scopes: Record<string, string> = {};
  for (const [key, value] of settings) {
    const scope = /^(@[^:/\s]+):registry$/.exec(key)?.[1];
    if (!scope) continue;
    if (!/^https?:\/\/[^\s@]+$/.test(value))
      throw new UserError(
        `npm's ${key} is not an http(s) URL without credentials (${redactUrls(value)}); set it to the registry's URL and its token as //HOST/:_authToken=\${TOKEN}`,
      );
    scopes[scope] = value.replace(/\/+$/, "");
  }
  return { scopes, authorization: (url) => authorizationFor(url, settings) };
}

function readSmall(file: string): string {
  try {
    const stat = statSync(file, { throwIfNoEntry: false });
    return stat?.isFile() && stat.size <= MAX_NPMRC_BYTES ? readFileSync(file, "utf8") : "";
  } catch {
    return "";
  }
}

/** `key=value` lines, as npm reads them: comments, quotes, and `${VAR}` (`${VAR?}`) from `env`. */
export function parseNpmrc(text: string, env: NodeJS.ProcessEnv): [string, string][] {
  const pairs: [string, string][] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const match = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    const value = match[2]!.replace(/^(["'])(.*)\1$/, "$2").replace(/\$\{([^}?]+)\??\}/g, (_, name: string) => env[name] ?? "");
    pairs.push([match[1]!, value]);
  }
  return pairs;
}

/** npm's rule: the credentials of the longest `//HOST/PATH/` that starts the URL. */
function authorizationFor(url: string, settings: Map<string, string>): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  for (let dir = parsed.pathname.replace(/[^/]*$/, ""); ; dir = dir.replace(/[^/]*\/$/, "")) {
    const nerf = `//${parsed.host}${dir}`;
    const token = settings.get(`${nerf}:_authToken`);
    if (token) return `Bearer ${token}`;
    const basic = settings.get(`${nerf}:_auth`);
    if (basic) return `Basic ${basic}`;
    const user = settings.get(`${nerf}:username`);
    const password = settings.get(`${nerf}:_password`);
    if (user && password) return `Basic ${Buffer.from(`${user}:${Buffer.from(password, "base64").toString()}`).toString("base64")}`;
    if (dir === "/" || dir === "") return undefined;
  }
}
