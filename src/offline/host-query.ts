// Asks the host about its own programs: the shared libraries an ELF file loads (`ldd`) and, on
// Debian, which files and dependencies a package has (`dpkg-query`). Used only while the offline
// package set is prepared, never at build time.
import { execFileSync } from "node:child_process";

export interface SharedLibrary {
  /** The name the file asks for (DT_NEEDED), e.g. libstdc++.so.6. */
  soname: string;
  /** Where the host's loader finds it. */
  file: string;
}

/** The libraries `file` loads, transitively, as the host's loader resolves them, and those it cannot find. */
export function sharedLibraries(file: string): { found: SharedLibrary[]; missing: string[] } {
  return sharedLibrariesOf([file]).get(file) ?? { found: [], missing: [] };
}

/** sharedLibraries for many files, asking `ldd` once per hundred of them (a tree has hundreds). */
export function sharedLibrariesOf(files: string[]): Map<string, { found: SharedLibrary[]; missing: string[] }> {
  const result = new Map<string, { found: SharedLibrary[]; missing: string[] }>();
  for (let start = 0; start < files.length; start += 100) {
    const batch = files.slice(start, start + 100);
    let output: string;
    try {
      output = execFileSync("ldd", batch, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 << 20 });
    } catch (error) {
      // (ldd fails as a whole when one file is not dynamic; what it printed still counts)
      output = String((error as { stdout?: string }).stdout ?? "");
    }
    // One file alone gets no "FILE:" heading.
    let current = batch.length === 1 ? batch[0] : undefined;
    for (const line of output.split("\n")) {
      const heading = batch.find((f) => line === `${f}:`);
      if (heading) {
        current = heading;
        continue;
      }
      if (!current) continue;
      const entry = result.get(current) ?? { found: [], missing: [] };
      result.set(current, entry);
      const resolved = /^\s*(\S+) => (\/\S+) \(0x/.exec(line);
      if (resolved) entry.found.push({ soname: resolved[1]!, file: resolved[2]! });
      const loader = /^\s*(\/\S*ld-linux\S*) \(0x/.exec(line);
      if (loader) entry.found.push({ soname: loader[1]!.split("/").at(-1)!, file: loader[1]! });
      const notFound = /^\s*(\S+) => not found/.exec(line);
      if (notFound) entry.missing.push(notFound[1]!);
    }
  }
  return result;
}

export interface DebianPackage {
  name: string;
  version: string;
  /** Dependencies, each a list of alternatives (`a | b`), names only. */
  depends: string[][];
  files: string[];
}

// Asked once per package: the Python packages' dependency walk names the same ones often.
const packages = new Map<string, DebianPackage | undefined>();

/** An installed Debian package, or undefined (not installed, or not a Debian system). */
export function debianPackage(name: string): DebianPackage | undefined {
  if (!packages.has(name)) packages.set(name, queryDebianPackage(name));
  return packages.get(name);
}

function queryDebianPackage(name: string): DebianPackage | undefined {
  try {
    const fields = execFileSync("dpkg-query", ["-W", "-f", "${Status}\\t${Version}\\t${Depends}", name], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).split("\t");
    if (!fields[0]?.endsWith(" installed")) return undefined;
    const depends = (fields[2] ?? "")
      .split(",")
      .map((dep) => dep.split("|").map((alt) => alt.trim().split(/[\s:(]/)[0]!))
      .filter((alts) => alts[0]);
    const files = execFileSync("dpkg-query", ["-L", name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
      .split("\n")
      .filter(Boolean);
    return { name, version: fields[1]!, depends, files };
  } catch {
    return undefined;
  }
}

/** `go env NAMES…`, one value per name ([] when there is no go). */
export function goEnv(names: string[]): string[] {
  try {
    return execFileSync("go", ["env", ...names], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).split("\n");
  } catch {
    return [];
  }
}

/** Where the host's Rust toolchain lives (`rustc --print sysroot`) and its version, or undefined. */
export function rustSysroot(): { sysroot: string; version: string } | undefined {
  try {
    const run = (args: string[]) => execFileSync("rustc", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const version = /^rustc (\S+)/.exec(run(["--version"]))?.[1];
    return version ? { sysroot: run(["--print", "sysroot"]), version } : undefined;
  } catch {
    return undefined;
  }
}
