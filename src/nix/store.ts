// Queries of the Nix store: validity, sizes, closures and GC roots, as typed results.
import { closureArgs, nixStoreArgs, pathInfoArgs } from "./args.js";
import { stripAnsi } from "./internal-json.js";
import { nixFailure } from "./process.js";
import type { NixProcess } from "./process.js";
import type { NixFeatures } from "./version.js";

export interface PathInfo {
  path: string;
  narHash: string;
  narSize: number;
  references: string[];
}

// The kernel refuses very long argument lists (E2BIG); every query that takes store paths as
// arguments takes them in chunks of this many (a store path is at most ~250 bytes).
const CHUNK = 2000;

async function inChunks<T>(items: string[], query: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < items.length; i += CHUNK) results.push(...(await query(items.slice(i, i + CHUNK))));
  return results;
}

export class NixStoreQueries {
  constructor(
    private readonly process: NixProcess,
    private readonly detect: () => Promise<{ features: NixFeatures }>,
  ) {}

  /** Every path in the closure of `storePath`, with its narHash, narSize and references. */
  async closure(storePath: string): Promise<PathInfo[]> {
    const { features } = await this.detect();
    const json = JSON.parse(await this.process.output(closureArgs(storePath, features), "path-info")) as unknown;
    return pathInfos(json, features.pathInfoJsonMap).map(({ path, narHash, narSize, references }) => ({
      path,
      narHash,
      narSize,
      references,
    }));
  }

  /** narSize of each valid path among `storePaths`. */
  async narSizes(storePaths: string[]): Promise<Map<string, number>> {
    const { features } = await this.detect();
    const infos = await inChunks(storePaths, async (chunk) =>
      pathInfos(JSON.parse(await this.process.output(pathInfoArgs(chunk, features), "path-info")) as unknown, features.pathInfoJsonMap),
    );
    return new Map(infos.filter((info) => info.narSize !== undefined).map((info) => [info.path, info.narSize]));
  }

  /** Adds `dir` to the store by content: its store path and NAR sha256 (base32, as fixed outputs take it). */
  async addFixed(dir: string): Promise<{ storePath: string; hash: string }> {
    const storePath = (await this.process.nixStore(nixStoreArgs.addFixed(dir))).trim();
    const hash = (await this.process.nixStore(nixStoreArgs.narHash(storePath))).trim().replace(/^sha256:/, "");
    return { storePath, hash };
  }

  /** Adds files by their flat hash; the store paths, in order (a file's store name is its base name). */
  async addFixedFiles(algorithm: string, files: string[]): Promise<string[]> {
    return inChunks(files, async (chunk) => lines(await this.process.nixStore(nixStoreArgs.addFixedFiles(algorithm, chunk))));
  }

  /** Which of the store paths are valid (complete) in the local store, or in `store` (a cache URL). */
  async validPaths(storePaths: string[], store?: string): Promise<Set<string>> {
    if (storePaths.length === 0) return new Set();
    const { features } = await this.detect();
    const valid = await inChunks(storePaths, async (chunk) => {
      // Nix exits 1 when a path is not valid ("don't know how to build"), still printing every path's JSON.
      const result = await this.process.capture(pathInfoArgs(chunk, features, store));
      let json: unknown;
      try {
        json = JSON.parse(result.stdout);
      } catch {
        throw nixFailure("path-info", stripAnsi(result.stderr));
      }
      return [...validFromPathInfo(json, features.pathInfoJsonMap)];
    });
    return new Set(valid);
  }

  /** The closure of `storePaths` (which must be valid), as paths. */
  async requisites(storePaths: string[]): Promise<string[]> {
    const closure = await inChunks(storePaths, async (chunk) => lines(await this.process.nixStore(nixStoreArgs.requisites(chunk))));
    return [...new Set(closure)];
  }

  /** Every GC root: the link (or process) that holds it -> the store path it keeps. */
  async gcRoots(): Promise<{ link: string; storePath: string }[]> {
    return parseGcRoots(await this.process.nixStore(nixStoreArgs.printRoots()));
  }

  /** Paths no root reaches: what a store GC would delete now. */
  async deadPaths(): Promise<string[]> {
    return lines(await this.process.nixStore(nixStoreArgs.printDead()));
  }
}

const lines = (text: string) => text.split("\n").filter(Boolean);

type RawInfo = { path: string; narHash: string; narSize: number; references: string[]; valid?: boolean };

// `nix path-info --json` lists paths ({path, valid: false} for invalid ones) before 2.19, and maps
// each path to its info (null when invalid) from 2.19 on.
export function pathInfos(json: unknown, isMap: boolean): RawInfo[] {
  if (isMap) {
    return Object.entries(json as Record<string, Omit<RawInfo, "path"> | null>)
      .filter(([, info]) => info !== null)
      .map(([path, info]) => ({ ...info!, path }));
  }
  return (json as RawInfo[]).filter((i) => i.valid !== false);
}

export function validFromPathInfo(json: unknown, isMap: boolean): Set<string> {
  return new Set(pathInfos(json, isMap).map((i) => i.path));
}

// `nix-store --gc --print-roots`: "LINK -> STORE PATH" lines; Nix 2.34+ quotes the link.
export function parseGcRoots(output: string): { link: string; storePath: string }[] {
  return lines(output)
    .map((line) => line.match(/^(?:"(.*)"|(.*)) -> (\/nix\/store\/\S+)$/))
    .filter((m): m is RegExpMatchArray => m !== null)
    .map((m) => ({ link: m[1] ?? m[2]!, storePath: m[3]! }));
}
