// Where a hashed requirements file's files are served: the index the user's configuration names
// (the file's own --index-url, then PIP_INDEX_URL / UV_INDEX_URL / UV_DEFAULT_INDEX, pip.conf,
// uv.toml, and last pip's own default, read from the pip that is installed: nixkit names no index
// itself), and each file's URL on it by its sha256, from the index's PEP 691 JSON (or PEP 503
// HTML) page of the package. Found URLs are kept in the user cache: a file's hash names it for good.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { parse } from "smol-toml";
import { userCachePaths } from "../state/layout.js";
import { readEntries, writeEntries } from "../state/stamp.js";
import { EnvError } from "../util/errors.js";
import { redactUrls } from "../util/redact.js";
import { normalizeName } from "./lock.js";

export interface IndexSettings {
  index: string;
  extra: string[];
}

const iniValue = (text: string, sections: string[], key: string): string | undefined => {
  let section = "";
  let found: string | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) section = header[1]!.trim();
    else if (sections.includes(section)) {
      const pair = /^([A-Za-z_-]+)\s*[=:]\s*(.*)$/.exec(line);
      if (pair && pair[1]!.replace(/_/g, "-") === key) found = pair[2]!.trim();
    }
  }
  return found;
};

function pipConfigFiles(env: NodeJS.ProcessEnv): string[] {
  const configHome = env.XDG_CONFIG_HOME || path.join(homedir(), ".config");
  return [
    "/etc/xdg/pip/pip.conf",
    "/etc/pip.conf",
    path.join(homedir(), ".pip", "pip.conf"),
    path.join(configHome, "pip", "pip.conf"),
    ...(env.PIP_CONFIG_FILE ? [env.PIP_CONFIG_FILE] : []),
  ];
}

function uvIndex(file: string): { index?: string; extra: string[] } {
  try {
    const config = parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    const tool = ((config.tool as Record<string, unknown> | undefined)?.uv as Record<string, unknown> | undefined) ?? config;
    const indexes = Array.isArray(tool.index) ? (tool.index as Record<string, unknown>[]) : [];
    const fallback = indexes.find((entry) => entry.default === true)?.url;
    return {
      index: typeof tool["index-url"] === "string" ? tool["index-url"] : typeof fallback === "string" ? fallback : undefined,
      extra: indexes.filter((entry) => entry.default !== true && typeof entry.url === "string").map((entry) => entry.url as string),
    };
  } catch {
    return { extra: [] };
  }
}

/** The index settings that apply in `projectDir`, `fromFile` (the requirements file's own options) first. */
export function indexSettings(projectDir: string, fromFile: Partial<IndexSettings>, env: NodeJS.ProcessEnv = process.env): IndexSettings {
  let index = fromFile.index ?? env.PIP_INDEX_URL ?? env.UV_INDEX_URL ?? env.UV_DEFAULT_INDEX;
  const extra = [...(fromFile.extra ?? []), ...(env.PIP_EXTRA_INDEX_URL ?? env.UV_EXTRA_INDEX_URL ?? "").split(/\s+/).filter(Boolean)];
  const configHome = env.XDG_CONFIG_HOME || path.join(homedir(), ".config");
  for (const file of [path.join(projectDir, "uv.toml"), path.join(configHome, "uv", "uv.toml")]) {
    if (index || !existsSync(file)) continue;
    const found = uvIndex(file);
    index = found.index;
    extra.push(...found.extra);
  }
  for (const file of pipConfigFiles(env).reverse()) {
    if (index || !existsSync(file)) continue;
    const text = readFileSync(file, "utf8");
    index = iniValue(text, ["global", "install", "download"], "index-url");
    extra.push(...(iniValue(text, ["global", "install", "download"], "extra-index-url") ?? "").split(/\s+/).filter(Boolean));
  }
  index ??= pipDefaultIndex();
  return { index: index.replace(/\/+$/, ""), extra: [...new Set(extra.map((url) => url.replace(/\/+$/, "")))] };
}

/** pip's built-in index, from the pip on this machine. */
function pipDefaultIndex(): string {
  for (const python of ["python3", "python"]) {
    try {
      const url = execFileSync(python, ["-c", "from pip._internal.models.index import PyPI; print(PyPI.simple_url)"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
        timeout: 30_000,
      }).trim();
      if (/^https?:\/\//.test(url)) return url;
    } catch {
      // the next one
    }
  }
  throw new EnvError(
    "no Python package index is configured and no pip is installed to name its default: set PIP_INDEX_URL (or index-url in pip.conf, or --index-url in the requirements file)",
  );
}

export interface IndexFile {
  filename: string;
  url: string;
}

/** One package's page: each file's sha256 and where it is. */
async function indexPage(index: string, name: string): Promise<Map<string, IndexFile>> {
  const page = `${index}/${normalizeName(name)}/`;
  const response = await fetch(page, {
    headers: { accept: "application/vnd.pypi.simple.v1+json, text/html;q=0.1" },
    signal: AbortSignal.timeout(60_000),
  });
  if (response.status === 404) return new Map();
  if (!response.ok) throw new Error(`${redactUrls(page)} answered HTTP ${response.status}`);
  const files = new Map<string, IndexFile>();
  const body = await response.text();
  if ((response.headers.get("content-type") ?? "").includes("json")) {
    const data = JSON.parse(body) as { files?: { filename?: string; url?: string; hashes?: { sha256?: string } }[] };
    for (const file of data.files ?? [])
      if (file.filename && file.url && file.hashes?.sha256)
        files.set(file.hashes.sha256, { filename: file.filename, url: new URL(file.url, response.url).href });
  } else {
    for (const anchor of body.matchAll(/<a\s[^>]*href="([^"]+)"[^>]*>([^<]+)<\/a>/gi)) {
      const href = anchor[1]!.replace(/&amp;/g, "&");
      const hash = /#sha256=([0-9a-f]{64})/.exec(href)?.[1];
      if (hash) files.set(hash, { filename: anchor[2]!.trim(), url: new URL(href.replace(/#.*$/, ""), response.url).href });
    }
  }
  return files;
}

/**
 * The files with these sha256 hashes of each package, from the first index that has them; a
 * hash no index has is missing from the result (the caller names it).
 */
export async function locateFiles(settings: IndexSettings, wanted: { name: string; hashes: string[] }[]): Promise<Map<string, IndexFile>> {
  const cacheFile = userCachePaths().pythonIndexFiles;
  const cached = readEntries(cacheFile);
  const found = new Map<string, IndexFile>();
  const fresh: Record<string, IndexFile> = {};
  const indexes = [settings.index, ...settings.extra];
  const keyOf = (index: string, hash: string) => `${index}\0${hash}`;
  const pending = wanted.filter(({ hashes }) =>
    hashes.some((hash) => {
      const known = indexes.map((index) => cached[keyOf(index, hash)]).find((entry) => entry !== undefined) as IndexFile | undefined;
      if (known) found.set(hash, known);
      return !known;
    }),
  );
  let next = 0;
  const worker = async () => {
    while (next < pending.length) {
      const { name, hashes } = pending[next++]!;
      for (const index of indexes) {
        let page: Map<string, IndexFile>;
        try {
          page = await indexPage(index, name);
        } catch (error) {
          throw new EnvError(`could not read ${name}'s files from the Python index ${redactUrls(index)}: ${(error as Error).message}`);
        }
        for (const hash of hashes) {
          const file = page.get(hash);
          if (file && !found.has(hash)) {
            found.set(hash, file);
            fresh[keyOf(index, hash)] = file;
          }
        }
        if (hashes.every((hash) => found.has(hash))) break;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, pending.length) }, worker));
  if (Object.keys(fresh).length > 0) writeEntries(cacheFile, fresh, 50_000);
  return found;
}
