// What the offline package set imports from the host besides busybox and bash: Node.js with its
// npm, Debian's Python with its standard library, and Debian's pytest, numpy, setuptools and wheel
// (with the Python packages they depend on). Each becomes one tree of files; host-import.ts copies the trees with
// the shared libraries they load, and the set's Nix code makes them run from the store.
// A program that is missing or cannot work from the store is left out, never faked.
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { debianPackage, goEnv, type DebianPackage } from "./host-query.js";

export interface TreeCopy {
  from: string;
  to: string;
  /** Relative paths (below `from`) not to copy. */
  skip?: RegExp;
}

export interface HostTree {
  /** Attribute path in the set: ["nodejs"], ["python3Packages", "numpy"]. */
  attr: string[];
  /** The package name and version, as nixpkgs spells them. */
  pname: string;
  version: string;
  copies: TreeCopy[];
  /** python3Packages this one needs at run time (nixpkgs' dependencies). */
  pythonDeps?: string[];
}

/** nixpkgs' python3Packages names for Debian's python3-* packages that differ. */
const PYTHON_NAMES: Record<string, string> = { attr: "attrs" };
/** The Python packages the set offers (with what they depend on); setuptools and wheel build sdists. */
const PYTHON_PACKAGES = ["pytest", "numpy", "setuptools", "wheel"];
const DIST_PACKAGES = "/usr/lib/python3/dist-packages/";

const upstreamVersion = (debian: string) => debian.replace(/^\d+:/, "").replace(/[-+~].*$/, "");

export function nodeTree(execPath = process.execPath, version = process.versions.node): HostTree {
  const npm = [path.join(path.dirname(execPath), "../lib/node_modules/npm")].find(
    // Debian's own npm package spreads npm's dependencies over /usr/share/nodejs; only an npm that
    // bundles them (npm's own release) can be copied whole.
    (dir) => existsSync(path.join(dir, "bin/npm-cli.js")) && existsSync(path.join(dir, "node_modules")),
  );
  return {
    attr: ["nodejs"],
    pname: "nodejs",
    version,
    copies: [{ from: realpathSync(execPath), to: "bin/node" }, ...(npm ? [{ from: realpathSync(npm), to: "lib/node_modules/npm" }] : [])],
  };
}

export function pythonTree(): HostTree | undefined {
  const python = debianPackage("python3");
  if (!python || !existsSync("/usr/bin/python3")) return undefined;
  const binary = realpathSync("/usr/bin/python3");
  const libVersion = path.basename(binary).replace(/^python/, ""); // "3.11"
  const stdlib = `/usr/lib/python${libVersion}`;
  const full = debianPackage(`python${libVersion}`);
  if (!existsSync(path.join(stdlib, "os.py")) || !full) return undefined;
  return {
    attr: ["python3"],
    pname: "python3",
    version: upstreamVersion(full.version),
    copies: [
      { from: binary, to: `bin/python${libVersion}` },
      {
        from: stdlib,
        to: `lib/python${libVersion}`,
        // Tests, the Tk GUI (it needs X11) and Debian's own hooks are left out; sitecustomize
        // is the set's own (it reads NIX_PYTHONPATH, as nixpkgs' does).
        skip: /(^|\/)__pycache__$|^(test|idlelib|tkinter|turtledemo|lib2to3\/tests|config-[^/]*|dist-packages|site-packages)$|^(sitecustomize\.py|EXTERNALLY-MANAGED)$/,
      },
    ],
  };
}

/** Debian's python3-NAME packages the set offers, with every python3-* package they depend on. */
export function pythonPackageTrees(libVersion: string): HostTree[] {
  const trees = new Map<string, HostTree>();
  const visit = (debianName: string): string | undefined => {
    const name = debianName.replace(/^python3-/, "");
    const attr = PYTHON_NAMES[name] ?? name;
    if (trees.has(attr)) return attr;
    const pkg = debianPackage(debianName);
    if (!pkg) return undefined;
    const tree: HostTree = {
      attr: ["python3Packages", attr],
      pname: `python${libVersion}-${attr}`,
      version: upstreamVersion(pkg.version),
      copies: [],
    };
    trees.set(attr, tree);
    tree.copies = packageCopies(pkg, libVersion);
    tree.pythonDeps = pkg.depends
      .map((alternatives) => alternatives.find((alt) => isPythonLibrary(alt) && debianPackage(alt)))
      .filter((dep): dep is string => dep !== undefined)
      .map(visit)
      .filter((dep): dep is string => dep !== undefined);
    return attr;
  };
  for (const name of PYTHON_PACKAGES) visit(`python3-${name}`);
  return [...trees.values()];
}

const isPythonLibrary = (debianName: string) =>
  /^python3-/.test(debianName) && !/^python3-(minimal|distutils|lib2to3|dev|venv)$/.test(debianName);

function packageCopies(pkg: DebianPackage, libVersion: string): TreeCopy[] {
  const copies: TreeCopy[] = [];
  for (const file of pkg.files) {
    if (!existsSync(file) || statSync(file).isDirectory()) continue;
    if (file.startsWith(DIST_PACKAGES)) {
      if (file.includes("/__pycache__/")) continue;
      copies.push({ from: file, to: `lib/python${libVersion}/site-packages/${file.slice(DIST_PACKAGES.length)}` });
    } else if (file.startsWith("/usr/bin/") && isPythonScript(file)) {
      // Debian names a program pytest-3 or f2py3.11 beside pytest; nixpkgs has the plain name.
      const name = path.basename(file).replace(/-?3(\.\d+)?$/, "");
      if (!copies.some((c) => c.to === `bin/${name}`)) copies.push({ from: file, to: `bin/${name}` });
    }
  }
  return copies;
}

const isPythonScript = (file: string) => /^#!\S*python/.test(readFileSync(file, "latin1").slice(0, 64));

export function patchelfTree(): HostTree | undefined {
  const pkg = debianPackage("patchelf");
  const binary = ["/usr/bin/patchelf"].find(existsSync);
  return binary
    ? {
        attr: ["patchelf"],
        pname: "patchelf",
        version: pkg ? upstreamVersion(pkg.version) : "host",
        copies: [{ from: binary, to: "bin/patchelf" }],
      }
    : undefined;
}

/**
 * GCC's runtime libraries (libstdc++, libgcc_s, libgomp), which manylinux wheels load from the
 * system (PEP 599 lets them): nixpkgs' stdenv.cc.cc.lib, in pythonManylinuxPackages.
 */
export function gccLibTree(): HostTree | undefined {
  const copies: TreeCopy[] = [];
  let version = "";
  for (const [debianName, soname] of [
    ["libstdc++6", "libstdc++.so.6"],
    ["libgcc-s1", "libgcc_s.so.1"],
    ["libgomp1", "libgomp.so.1"],
  ] as const) {
    const pkg = debianPackage(debianName);
    const file = pkg?.files.find((f) => path.basename(f) === soname && existsSync(f));
    if (!pkg || !file) continue;
    if (debianName === "libstdc++6") version = upstreamVersion(pkg.version);
    copies.push({ from: realpathSync(file), to: `lib/${soname}` });
  }
  return version ? { attr: ["gccLib"], pname: "gcc-lib", version, copies } : undefined;
}

/** The host's Go toolchain (its GOROOT, as `go env` names it), laid out as GOROOT is: bin/go finds the rest beside it. */
export function goTree(): HostTree | undefined {
  const [goroot = "", version = ""] = goEnv(["GOROOT", "GOVERSION"]);
  if (!goroot || !existsSync(path.join(goroot, "bin/go")) || !existsSync(path.join(goroot, "src/runtime"))) return undefined;
  return {
    attr: ["go"],
    pname: "go",
    version: version.replace(/^go/, "").replace(/\s.*$/, ""),
    // Go's own test suite, documentation, API lists and the sources of its commands (src/cmd:
    // `go tool pprof` and the like are built from them on demand) are not needed to build and
    // test Go code: 7,500 files instead of 15,000.
    copies: [{ from: realpathSync(goroot), to: ".", skip: /^(test|doc|api|misc|src\/cmd)$|(^|\/)testdata$/ }],
  };
}

export const glibcVersion = (): string => {
  const pkg = debianPackage("libc6");
  return pkg ? upstreamVersion(pkg.version) : "host";
};

/** The loader and the libraries of glibc itself: one shared tree, as in nixpkgs. */
export const isGlibcLibrary = (soname: string): boolean =>
  /^(ld-linux[^/]*|lib(c|m|dl|pthread|rt|resolv|util|anl|nsl|mvec|BrokenLocale|thread_db|c_malloc_debug|nss_[a-z]+))\.so(\.\d+)*$/.test(
    soname,
  );
