// yarn 4's registries and credentials, as yarn reads them from .yarnrc.yml (the user's, then the
// project's, from the project's top down to the lockfile's directory): `npmRegistryServer`,
// `npmScopes.<scope>.npmRegistryServer`, and `npmAuthToken`/`npmAuthIdent` at the top, per scope
// or per registry (`npmRegistries["//host/path"]`), `${VAR}` and `${VAR:-fallback}` from the
// environment. Registries (URLs) go into flake.nix; credentials only into the Authorization
// header of nixkit's own downloads.
import os from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { readTextInside } from "../util/bounded-read.js";
import { UserError } from "../util/errors.js";
import { redactUrls } from "../util/redact.js";

export interface YarnrcView {
  /** npmRegistryServer, when a .yarnrc.yml sets it (else npm's setting is used). */
  registry?: string;
  /** "@scope" -> its npmRegistryServer. */
  scopes: Record<string, string>;
  authorization(url: string): string | undefined;
}

type Settings = Record<string, unknown>;

export function readYarnrc(projectDir: string, lockDir: string, env: NodeJS.ProcessEnv = process.env): YarnrcView {
  const chain: string[] = [];
  for (let dir = lockDir; ; dir = path.dirname(dir)) {
    chain.unshift(path.join(dir, ".yarnrc.yml"));
    if (path.relative(projectDir, dir) === "" || dir === path.dirname(dir)) break;
  }
  const home = path.join(env.HOME ?? os.homedir(), ".yarnrc.yml");
  const files: [string, string][] = [[home, path.dirname(home)], ...chain.map((f): [string, string] => [f, projectDir])];
  let merged: Settings = {};
  for (const [file, within] of files) {
    let text: string | undefined;
    try {
      text = readTextInside(within, file, "config");
    } catch {
      continue;
    }
    const doc: unknown = text === undefined ? undefined : parse(text);
    if (doc && typeof doc === "object") merged = merge(merged, doc as Settings);
  }
  const value = (v: unknown) => (typeof v === "string" ? interpolate(v, env) : undefined);
  const server = (v: unknown, where: string) => {
    const url = value(v);
    if (url === undefined) return undefined;
    if (!/^https?:\/\/[^\s@]+$/.test(url))
      throw new UserError(
        `.yarnrc.yml's ${where} is not an http(s) URL without credentials (${redactUrls(url)}); set it to the registry's URL and its token as npmAuthToken: "\${TOKEN}"`,
      );
    return url.replace(/\/+$/, "");
  };
  const registry = server(merged.npmRegistryServer, "npmRegistryServer");
  const scopes: Record<string, string> = {};
  // Credentials by the registry URL they go to, "//host/path/".
  const credentials = new Map<string, string>();
  const credential = (entry: unknown) => {
    const settings = (entry ?? {}) as Settings;
    const token = value(settings.npmAuthToken);
    const ident = value(settings.npmAuthIdent);
    return token ? `Bearer ${token}` : ident ? `Basic ${Buffer.from(ident).toString("base64")}` : undefined;
  };
  const addCredential = (url: string | undefined, entry: unknown) => {
    const header = credential(entry);
    if (url && header) credentials.set(nerf(url), header);
  };
  addCredential(registry, merged);
  for (const [name, entry] of Object.entries((merged.npmScopes ?? {}) as Settings)) {
    const scopeRegistry = server((entry as Settings | undefined)?.npmRegistryServer, `npmScopes.${name}.npmRegistryServer`);
    if (scopeRegistry) scopes[`@${name.replace(/^@/, "")}`] = scopeRegistry;
    addCredential(scopeRegistry ?? registry, entry);
  }
  for (const [url, entry] of Object.entries((merged.npmRegistries ?? {}) as Settings))
    addCredential(url.startsWith("//") ? `https:${url}` : url, entry);
  return {
    registry,
    scopes,
    authorization: (url) => {
      const target = nerf(url);
      const match = [...credentials.keys()].filter((prefix) => target.startsWith(prefix)).sort((a, b) => b.length - a.length)[0];
      return match ? credentials.get(match) : undefined;
    },
  };
}

/** "//host/path/" of a URL (yarn matches a registry's credentials by host and path, not scheme). */
function nerf(url: string): string {
  try {
    const parsed = new URL(url);
    return `//${parsed.host}${parsed.pathname.replace(/\/*$/, "/")}`;
  } catch {
    return url;
  }
}

/** yarn's ${NAME}, ${NAME:-fallback} and ${NAME-fallback}. */
function interpolate(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g, (_, name: string, op?: string, fallback?: string) => {
    const set = env[name];
    if (op === ":-") return set ? set : (fallback ?? "");
    if (op === "-") return set !== undefined ? set : (fallback ?? "");
    return set ?? "";
  });
}

/** A later file's settings over an earlier one's, maps merged key by key (as yarn merges its rc files). */
function merge(base: Settings, over: Settings): Settings {
  const out: Settings = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const before = out[key];
    out[key] =
      value && typeof value === "object" && !Array.isArray(value) && before && typeof before === "object" && !Array.isArray(before)
        ? merge(before as Settings, value as Settings)
        : value;
  }
  return out;
}
