// Copies the host trees (host-trees.ts) into nixkit's cache with the shared libraries their ELF
// files load, lists those files for the set's patching step, and adds each tree to the Nix store
// by content (`nix-store --add-fixed`), so the set refers to it by hash, as nixpkgs' requireFile
// does: the store checks the bytes, and the set's own files stay small.
import { existsSync, promises as fs, lstatSync, readdirSync, readlinkSync, realpathSync } from "node:fs";
import path from "node:path";
import { sha256 } from "../util/hash.js";
import { writeDirAtomic, readFileIfExists } from "../state/atomic.js";
import { elfInfo } from "./elf.js";
import { sharedLibraries, sharedLibrariesOf } from "./host-query.js";
import { glibcVersion, isGlibcLibrary, type HostTree } from "./host-trees.js";

export type ImportedTree = Omit<HostTree, "copies"> & {
  /** The store path's name. */
  name: string;
  /** sha256 of its NAR, base32 (the fixed-output hash). */
  hash: string;
};

export interface ContentStore {
  /** Adds a directory by content; its store path and NAR sha256 (base32). */
  addFixed(dir: string): Promise<{ storePath: string; hash: string }>;
  isValid(storePath: string): Promise<boolean>;
}

/** Files of a tree: where each comes from, where it goes, and (for links inside the tree) the link. */
interface Planned {
  from: string;
  to: string;
  link?: string;
  stamp: string;
}

function plan(tree: HostTree): Planned[] {
  const planned: Planned[] = [];
  const add = (from: string, to: string, skip: RegExp | undefined, rel: string) => {
    if (skip && rel && skip.test(rel)) return;
    const stat = lstatSync(from);
    if (stat.isDirectory()) {
      for (const name of readdirSync(from).sort()) add(path.join(from, name), `${to}/${name}`, skip, rel ? `${rel}/${name}` : name);
    } else if (stat.isSymbolicLink()) {
      const target = readlinkSync(from);
      // A relative link stays a link; one that points out of the tree is copied as its target.
      if (!path.isAbsolute(target) && !target.startsWith("..")) planned.push({ from, to, link: target, stamp: target });
      else {
        try {
          add(realpathSync(from), to, undefined, "");
        } catch {
          // a dangling link is left out
        }
      }
    } else if (stat.isFile()) planned.push({ from, to, stamp: `${stat.size}:${stat.mtimeMs}:${stat.mode & 0o111 ? "x" : "-"}` });
  };
  for (const copy of tree.copies) add(copy.from, copy.to, copy.skip, "");
  return planned;
}

const storeName = (tree: { pname: string; version: string }) => `${tree.pname}-${tree.version}-host`;

async function materialise(dir: string, files: Planned[]): Promise<void> {
  const elf: string[] = [];
  const dynamic: string[] = [];
  const libraries = new Map<string, string>();
  for (const file of files) {
    const target = path.join(dir, file.to);
    await fs.mkdir(path.dirname(target), { recursive: true });
    if (file.link !== undefined) {
      await fs.symlink(file.link, target);
      continue;
    }
    // A hard link where the file system allows (the trees are only read: Nix copies them into the
    // store): Go's toolchain is 14,000 files, and each fresh cache would copy them all.
    await fs.link(file.from, target).catch(() => fs.copyFile(file.from, target));
    const info = elfInfo(target);
    if (!info?.dynamic && !info?.interpreter) continue;
    elf.push(`${info.interpreter ? "program" : "library"} ${file.to}`);
    dynamic.push(file.from);
  }
  const needed = sharedLibrariesOf(dynamic);
  for (const from of dynamic) {
    const { found, missing } = needed.get(from) ?? { found: [], missing: [] };
    if (missing.length > 0) throw new Error(`${from} needs ${missing.join(", ")}, which this machine lacks`);
    for (const library of found) if (!isGlibcLibrary(library.soname)) libraries.set(library.soname, library.file);
  }
  for (const [soname, file] of [...libraries].sort()) {
    await fs.mkdir(path.join(dir, "lib"), { recursive: true });
    await fs.copyFile(realpathSync(file), path.join(dir, "lib", soname));
    elf.push(`library lib/${soname}`);
  }
  await fs.mkdir(path.join(dir, "nix-support"), { recursive: true });
  // (a library the tree has is also a dependency of another of its files: listed once)
  await fs.writeFile(path.join(dir, "nix-support", "elf-files"), [...new Set(elf)].sort().join("\n") + "\n");
}

/** glibc's loader and libraries, from the directory the host's libc lives in. */
function glibcTree(): HostTree {
  const libc = sharedLibraries(process.execPath).found.find((l) => l.soname === "libc.so.6");
  const dir = path.dirname(realpathSync(libc?.file ?? "/lib/x86_64-linux-gnu/libc.so.6"));
  const names = readdirSync(dir).filter(isGlibcLibrary).sort();
  return {
    attr: ["glibc"],
    pname: "glibc",
    version: glibcVersion(),
    copies: names.map((n) => ({ from: path.join(dir, n), to: `lib/${n}` })),
  };
}

/** `root`: where the trees are kept between runs (nixkit's cache). */
export async function importHostTrees(
  trees: HostTree[],
  store: ContentStore,
  warn: (message: string) => void,
  root: string,
): Promise<ImportedTree[]> {
  const all = [glibcTree(), ...trees];
  // Two at a time: one tree's files are linked and asked about while Nix hashes another's.
  const results: (ImportedTree | Error)[] = new Array(all.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < all.length; i = next++) results[i] = await importTree(all[i]!, store, root).catch((error: Error) => error);
  };
  await Promise.all([worker(), worker()]);
  const imported: ImportedTree[] = [];
  for (const [i, result] of results.entries()) {
    if (!(result instanceof Error)) {
      imported.push(result);
      continue;
    }
    const tree = all[i]!;
    warn(`the offline package set leaves out ${tree.attr.join(".")}: ${result.message}`);
    // Without the loader or patchelf, nothing dynamically linked can run from the store.
    if (tree.attr[0] === "glibc" || tree.attr[0] === "patchelf") return [];
  }
  return imported;
}

async function importTree(tree: HostTree, store: ContentStore, root: string): Promise<ImportedTree> {
  const name = storeName(tree);
  const files = plan(tree);
  const dir = path.join(root, sha256(JSON.stringify(files.map((f) => [f.to, f.stamp]))).slice(0, 16), name);
  const recordFile = `${dir}.json`;
  let record = JSON.parse((await readFileIfExists(recordFile)) ?? "null") as { storePath: string; hash: string } | null;
  if (!record || !(await store.isValid(record.storePath))) {
    // Named by the stamps of its sources: a tree once written is whole (written atomically).
    if (!existsSync(dir)) {
      await fs.mkdir(path.dirname(dir), { recursive: true });
      // Another nixkit may write the same tree at the same time: theirs is identical.
      await writeDirAtomic(dir, (temp) => materialise(temp, files), { replace: false, mode: 0o755 }).catch((error: unknown) => {
        if (!existsSync(dir)) throw error;
      });
    }
    record = await store.addFixed(dir);
    await fs.writeFile(recordFile, JSON.stringify(record));
  }
  return { attr: tree.attr, pname: tree.pname, version: tree.version, pythonDeps: tree.pythonDeps, name, hash: record.hash };
}
