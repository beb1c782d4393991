// A Go module's dependencies for the Nix library (nix/lib/go.nix): every module go.sum lists, with
// the sha256 of its zip and go.mod as the module proxy serves them. go.sum's h1: hashes are of the
// files inside (Go's dirhash), not of the zip, which a fixed-output fetch needs; so, as gomod2nix
// does, nixkit downloads what it has not recorded yet from the user's GOPROXY, checks it against
// go.sum's h1: and records the sha256 beside it, in flake.nix, which it reads back next time: a
// bump downloads the changed modules only.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { inflateRawSync } from "node:zlib";
import path from "node:path";
import { keepChecked, sweepChecked } from "../state/checked-downloads.js";
import { readTextInside } from "../util/bounded-read.js";
import { EnvError, UserError } from "../util/errors.js";
import { redactUrls } from "../util/redact.js";

/** "PATH VERSION ZIP-SRI MOD-SRI" per module (ZIP-SRI "-" when go.sum lists only its go.mod). */
export type GoModuleLine = string;

export interface GoSumEntry {
  path: string;
  version: string;
  zip?: string;
  mod?: string;
}

/** go.sum's entries by module and version, with their h1: hashes; `shown` names it in errors. */
export function parseGoSum(text: string, shown: string): GoSumEntry[] {
  const entries = new Map<string, GoSumEntry>();
  text.split("\n").forEach((line, index) => {
    if (!line.trim()) return;
    const match = /^(\S+) (v\S+?)(\/go\.mod)? (h1:[A-Za-z0-9+/]{43}=)$/.exec(line.trim());
    if (!match)
      throw new UserError(
        `${shown}:${index + 1}:1: not a go.sum line (MODULE VERSION[/go.mod] h1:HASH); run \`go mod tidy\` to rewrite it`,
      );
    const [, modulePath, version, isMod, hash] = match;
    const key = `${modulePath} ${version}`;
    const entry = entries.get(key) ?? { path: modulePath!, version: version! };
    if (isMod) entry.mod = hash;
    else entry.zip = hash;
    entries.set(key, entry);
  });
  return [...entries.values()].sort((a, b) => (`${a.path} ${a.version}` < `${b.path} ${b.version}` ? -1 : 1));
}

/** The module proxy protocol's path escaping: an upper-case letter is "!" and its lower case. */
export const escapeModulePath = (text: string): string => text.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);

/** Go's dirhash "h1:" of files given as [name, bytes]: sha256 of the sorted "HEX  NAME\n" lines. */
export function hash1(files: [string, Buffer][]): string {
  const summary = files
    .slice()
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, bytes]) => `${createHash("sha256").update(bytes).digest("hex")}  ${name}\n`)
    .join("");
  return `h1:${createHash("sha256").update(summary).digest("base64")}`;
}

/** The files of a zip archive (stored or deflated entries, as module zips are). */
export function zipFiles(zip: Buffer): [string, Buffer][] {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error("not a zip archive");
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files: [string, Buffer][] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error("a damaged zip central directory");
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith("/")) continue;
    const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(dataAt, dataAt + compressed);
    if (method === 0) files.push([name, Buffer.from(data)]);
    else if (method === 8) files.push([name, inflateRawSync(data)]);
    else throw new Error(`${name}: zip compression method ${method}`);
  }
  return files;
}

const sri = (bytes: Buffer) => `sha256-${createHash("sha256").update(bytes).digest("base64")}`;

/** The proxy `go env GOPROXY` names first (the user's setting, or Go's default). */
export function goProxy(moduleDir: string): string {
  let setting: string;
  try {
    setting = execFileSync("go", ["env", "GOPROXY"], {
      cwd: moduleDir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 30_000,
    }).trim();
  } catch (error) {
    throw new EnvError(
      `\`go env GOPROXY\` failed${(error as NodeJS.ErrnoException).code === "ENOENT" ? " (go is not on PATH)" : ""}: nixkit fetches Go modules from the proxy Go is configured with`,
    );
  }
  const proxy = setting.split(/[,|]/).find((entry) => /^https?:\/\//.test(entry));
  if (!proxy)
    throw new EnvError(
      `GOPROXY is ${setting || "empty"}: nixkit fetches Go modules from a module proxy (an https:// entry in GOPROXY); set one with \`go env -w GOPROXY=…\``,
    );
  return proxy.replace(/\/+$/, "");
}

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  if (!response.ok) throw new Error(`${redactUrls(url)}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/**
 * Each module go.sum lists, as a line for flake.nix: the ones `known` has (lines from the last
 * flake.nix, trusted while go.sum's h1: hashes are the ones they were checked against) reused,
 * the rest downloaded from `proxy` and checked against go.sum.
 */
export async function goModuleLines(
  moduleDir: string,
  goSumFile: string,
  proxy: string,
  known: Map<string, { line: GoModuleLine; h1: string }>,
): Promise<GoModuleLine[]> {
  const shown = path.relative(process.cwd(), goSumFile) || goSumFile;
  const text = readTextInside(moduleDir, goSumFile, "lockfile", shown) ?? "";
  const entries = parseGoSum(text, shown);
  const lines = new Map<GoSumEntry, GoModuleLine>();
  const missing = entries.filter((entry) => {
    const found = known.get(`${entry.path} ${entry.version}`);
    if (found && found.h1 === `${entry.zip ?? "-"} ${entry.mod ?? "-"}`) lines.set(entry, found.line);
    return !lines.has(entry);
  });
  if (missing.length > 0) sweepChecked();
  let next = 0;
  const worker = async () => {
    while (next < missing.length) {
      const entry = missing[next++]!;
      const base = `${proxy}/${escapeModulePath(entry.path)}/@v/${escapeModulePath(entry.version)}`;
      const where = `${entry.path} ${entry.version}`;
      let zipSri = "-";
      let modSri = "-";
      try {
        if (entry.mod) {
          const mod = await download(`${base}.mod`);
          if (hash1([["go.mod", mod]]) !== entry.mod)
            throw new UserError(
              `${shown}: ${where}/go.mod from ${redactUrls(proxy)} does not match go.sum's ${entry.mod}; run \`go mod verify\``,
            );
          modSri = sri(mod);
          keepChecked(mod, modSri);
        }
        if (entry.zip) {
          const zip = await download(`${base}.zip`);
          if (hash1(zipFiles(zip)) !== entry.zip)
            throw new UserError(
              `${shown}: ${where}'s zip from ${redactUrls(proxy)} does not match go.sum's ${entry.zip}; run \`go mod verify\``,
            );
          zipSri = sri(zip);
          keepChecked(zip, zipSri);
        }
      } catch (error) {
        if (error instanceof UserError) throw error;
        throw new EnvError(`could not fetch ${where} from the Go module proxy ${redactUrls(proxy)}: ${(error as Error).message}`);
      }
      lines.set(entry, `${entry.path} ${entry.version} ${zipSri} ${modSri} ${entry.zip ?? "-"} ${entry.mod ?? "-"}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, missing.length) }, worker));
  return entries.map((entry) => lines.get(entry)!);
}

/** The module lines an earlier flake.nix recorded, by "PATH VERSION", with the h1: hashes they were checked against. */
export function recordedModules(flakeText: string): Map<string, { line: GoModuleLine; h1: string }> {
  const known = new Map<string, { line: GoModuleLine; h1: string }>();
  for (const match of flakeText.matchAll(/"(\S+ v\S+ (?:sha256-\S+|-) (?:sha256-\S+|-) (\S+) (\S+))"/g)) {
    const line = match[1]!;
    const [modulePath, version] = line.split(" ");
    known.set(`${modulePath} ${version}`, { line, h1: `${match[2]} ${match[3]}` });
  }
  return known;
}
