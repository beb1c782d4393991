// Prepares the offline package set: nixkit's nix/offline-pkgs plus the host's static busybox,
// static bash and CA bundle, in a directory named by the hash of all of it. Idempotent and
// atomic (built in a temp directory, then renamed into place).
import { existsSync, promises as fs, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { assetPath } from "../util/assets.js";
import { EnvError } from "../util/errors.js";
import { sha256 } from "../util/hash.js";
import { currentSystem } from "../util/system.js";
import { writeDirAtomic } from "../state/atomic.js";
import { IMMUTABLE_MARKER, userCachePaths } from "../state/layout.js";
import { isStaticElf } from "./elf.js";
import { importHostTrees, type ContentStore, type ImportedTree } from "./host-import.js";
import {
  gccLibTree,
  gccTree,
  goTree,
  libcSysrootTree,
  nodeTree,
  patchelfTree,
  pythonPackageTrees,
  pythonTree,
  rustTree,
  type HostTree,
} from "./host-trees.js";

export interface HostFiles {
  busybox: string;
  bash: string;
  caBundle: string;
}

const candidates: Record<keyof HostFiles, string[]> = {
  busybox: ["/bin/busybox", "/usr/bin/busybox"],
  bash: ["/bin/bash-static", "/usr/bin/bash-static"],
  caBundle: ["/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/certs/ca-bundle.crt"],
};

const fixes: Record<keyof HostFiles, string> = {
  busybox: "a static busybox (Debian: apt-get install busybox-static)",
  bash: "a static bash (Debian: apt-get install bash-static)",
  caBundle: "a CA bundle (Debian: apt-get install ca-certificates)",
};

export function findHostFiles(env = process.env): HostFiles {
  const pick = (key: keyof HostFiles, override: string | undefined): string => {
    const found = [override, ...candidates[key]].find((f): f is string => Boolean(f) && existsSync(f!));
    if (!found) throw new EnvError(`the offline package set needs ${fixes[key]}`);
    if (key !== "caBundle" && !isStaticElf(found)) {
      throw new EnvError(`${found} is dynamically linked; the offline package set needs ${fixes[key]}`);
    }
    return found;
  };
  return {
    busybox: pick("busybox", env.NIXKIT_BUSYBOX),
    bash: pick("bash", env.NIXKIT_BASH_STATIC),
    caBundle: pick("caBundle", env.NIXKIT_CA_BUNDLE),
  };
}

/** Files of the set as (relative path -> bytes, mode). */
function setFiles(host: HostFiles, system: string, imported: ImportedTree[]): Map<string, { bytes: Buffer; mode: number }> {
  const files = new Map<string, { bytes: Buffer; mode: number }>();
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full, `${rel}${name}/`);
      else files.set(`${rel}${name}`, { bytes: readFileSync(full), mode: 0o644 });
    }
  };
  walk(assetPath("nix", "offline-pkgs"), "");
  files.set("host.nix", {
    bytes: Buffer.from(`# Written by \`nixkit offline-pkgs\`.\n${hostNix(system, imported)}`),
    mode: 0o644,
  });
  files.set("bootstrap/bin/busybox", { bytes: readFileSync(host.busybox), mode: 0o755 });
  files.set("bootstrap/bin/bash", { bytes: readFileSync(host.bash), mode: 0o755 });
  files.set("bootstrap/ca-bundle.crt", { bytes: readFileSync(host.caBundle), mode: 0o644 });
  return files;
}

/** host.nix: the system, and each imported host tree by name and content hash. */
function hostNix(system: string, imported: ImportedTree[]): string {
  const tree = (t: ImportedTree) =>
    `{ pname = ${JSON.stringify(t.pname)}; version = ${JSON.stringify(t.version)}; name = ${JSON.stringify(t.name)}; hash = ${JSON.stringify(t.hash)};` +
    (t.pythonDeps ? ` pythonDeps = [ ${t.pythonDeps.map((d) => JSON.stringify(d)).join(" ")} ];` : "") +
    " }";
  const lines = imported.map((t) => `    ${t.attr.map((a) => JSON.stringify(a)).join(".")} = ${tree(t)};`);
  return `{\n  system = ${JSON.stringify(system)};\n  imports = {\n${lines.join("\n")}\n  };\n}\n`;
}

/** The host trees this machine has (Node.js, Python and its packages), with patchelf to fix them. */
function hostTrees(): HostTree[] {
  const python = pythonTree();
  const patchelf = patchelfTree();
  if (!patchelf) return [];
  const gccLib = gccLibTree();
  const go = goTree();
  // A C compiler needs its C library; Rust links through the C compiler.
  const gcc = gccTree();
  const sysroot = gcc && gccLib && libcSysrootTree();
  const rust = sysroot && rustTree();
  return [
    patchelf,
    nodeTree(),
    ...(gccLib ? [gccLib] : []),
    ...(go ? [go] : []),
    ...(gcc && sysroot ? [gcc, sysroot] : []),
    ...(rust ? [rust] : []),
    ...(python ? [python, ...pythonPackageTrees(python.version.split(".").slice(0, 2).join("."))] : []),
  ];
}

// Beside the set's files: each file's sha256, so a damaged set is noticed before Nix uses it.
const FILES_LIST = ".nixkit-files.json";

/** Returns the flake ref of the prepared set, preparing it when needed (or when it was damaged). */
export async function prepareOfflinePkgs(
  store: ContentStore,
  env = process.env,
  warn: (message: string) => void = () => {},
): Promise<string> {
  const host = findHostFiles(env);
  const imported = await importHostTrees(hostTrees(), store, warn, path.join(userCachePaths(env).root, "host-imports"));
  const files = setFiles(host, currentSystem(), imported);
  const hashes = Object.fromEntries([...files].map(([rel, f]) => [rel, sha256(f.bytes)]));
  const digest = sha256(JSON.stringify([...files].map(([rel, f]) => [rel, f.mode, hashes[rel]])));
  const target = path.join(userCachePaths(env).offlinePkgs, digest.slice(0, 16));
  if (existsSync(target)) {
    const problem = offlineSetProblem(target);
    if (!problem) return `path:${target}`;
    warn(`the offline package set ${target} is damaged (${problem}); preparing it again`);
    await fs.rm(target, { recursive: true, force: true });
  }
  await fs.mkdir(path.dirname(target), { recursive: true });
  try {
    // Shared by every project, and named by its content: never replaced once it is there.
    await writeDirAtomic(
      target,
      async (temp) => {
        for (const [rel, file] of files) {
          await fs.mkdir(path.dirname(path.join(temp, rel)), { recursive: true });
          await fs.writeFile(path.join(temp, rel), file.bytes, { mode: file.mode });
        }
        await fs.writeFile(path.join(temp, FILES_LIST), JSON.stringify(hashes));
        await fs.writeFile(path.join(temp, IMMUTABLE_MARKER), digest);
      },
      { replace: false, mode: 0o755 },
    );
  } catch (error) {
    // Another nixkit prepared the same set at the same time: theirs is identical.
    if (offlineSetProblem(target)) throw error;
  }
  return `path:${target}`;
}

/** Why a prepared set cannot be used (a file missing, changed or added), or undefined when it is whole. */
export function offlineSetProblem(dir: string): string | undefined {
  let hashes: Record<string, string>;
  try {
    hashes = JSON.parse(readFileSync(path.join(dir, FILES_LIST), "utf8")) as Record<string, string>;
  } catch {
    return `${FILES_LIST} is missing or unreadable`;
  }
  for (const [rel, hash] of Object.entries(hashes)) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path.join(dir, rel));
    } catch {
      return `${rel} is missing`;
    }
    if (sha256(bytes) !== hash) return `${rel} was changed`;
  }
  return undefined;
}
