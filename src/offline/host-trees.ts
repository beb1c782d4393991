// What the offline package set imports from the host besides busybox and bash: Node.js with its
// npm, Debian's Python with its standard library, and Debian's pytest, numpy and build backends
// (with the Python packages they depend on). Each becomes one tree of files; host-import.ts copies the trees with
// the shared libraries they load, and the set's Nix code makes them run from the store.
// A program that is missing or cannot work from the store is left out, never faked.
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { debianPackage, goEnv, rustSysroot, type DebianPackage } from "./host-query.js";

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
/**
 * The Python packages the set offers (with what they depend on); setuptools and wheel, hatchling
 * (with hatch-vcs) and poetry-core are the build backends sdists are built with.
 */
const PYTHON_PACKAGES = ["pytest", "numpy", "setuptools", "wheel", "hatchling", "hatch-vcs", "poetry-core"];
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
      ...pythonHeaders(libVersion),
    ],
  };
}

/**
 * CPython's headers (Debian's python3-dev), where sdists with C extensions look for them
 * (sysconfig's include path, below the interpreter's prefix). Debian's pyconfig.h only includes
 * the one of the machine's multiarch triple: that one takes its place.
 */
function pythonHeaders(libVersion: string): TreeCopy[] {
  const dir = `/usr/include/python${libVersion}`;
  const pyconfig = `/usr/include/x86_64-linux-gnu/python${libVersion}/pyconfig.h`;
  if (!existsSync(path.join(dir, "Python.h")) || !existsSync(pyconfig)) return [];
  return [
    { from: dir, to: `include/python${libVersion}`, skip: /^pyconfig\.h$/ },
    { from: pyconfig, to: `include/python${libVersion}/pyconfig.h` },
  ];
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

/** Debian's package NAME-N for the N the unversioned package depends on (gcc → gcc-12), or undefined. */
function versionedDependency(name: string, prefix: string): DebianPackage | undefined {
  const dependency = debianPackage(name)
    ?.depends.flat()
    .find((d) => new RegExp(`^${prefix}-\\d+$`).test(d));
  return dependency ? debianPackage(dependency) : undefined;
}

/** A package's files below /usr, less documentation, as copies to the same place below the tree's root. */
const usrCopies = (pkg: DebianPackage | undefined, keep: (rel: string) => boolean): TreeCopy[] =>
  (pkg?.files ?? [])
    .filter((f) => f.startsWith("/usr/") && !f.startsWith("/usr/share/") && existsSync(f) && !statSync(f).isDirectory())
    .map((f) => ({ from: f, to: f.slice("/usr/".length) }))
    .filter((c) => keep(c.to));

/**
 * Debian's GCC (C, and C++ where g++ is installed) with its binutils, unwrapped: laid out as its
 * /usr prefix, so the driver finds cc1, collect2 and its crt files beside it, as GCC does when it
 * is moved. The set's `gcc` wraps it (host-imports.nix) with the C library below as its sysroot.
 */
export function gccTree(): HostTree | undefined {
  const gcc = versionedDependency("gcc", "gcc");
  const major = gcc?.name.replace(/^gcc-/, "");
  const binutils = versionedDependency("binutils", "binutils-x86-64-linux-gnu") ?? debianPackage("binutils-x86-64-linux-gnu");
  if (!gcc || !major || !binutils) return undefined;
  const triple = "x86_64-linux-gnu";
  const driverPrograms = new Map([
    [`bin/${triple}-gcc-${major}`, "bin/gcc"],
    [`bin/${triple}-cpp-${major}`, "bin/cpp"],
    [`bin/${triple}-g++-${major}`, "bin/g++"],
  ]);
  const binutilsPrograms = [
    "as",
    "ld.bfd",
    "ar",
    "nm",
    "ranlib",
    "strip",
    "objcopy",
    "objdump",
    "readelf",
    "size",
    "strings",
    "addr2line",
    "c++filt",
  ];
  const copies: TreeCopy[] = [];
  // (cc1 and collect2 are in lib/gcc on Debian 12, in libexec/gcc on Debian 13)
  const gccLibDir = (rel: string) =>
    /^(lib|libexec)\/gcc\//.test(rel) && rel.includes(`/${triple}/${major}/`) && !/\/plugin\/|lto-dump/.test(rel);
  // (GCC looks for libstdc++'s headers below its own prefix, not the sysroot's)
  const cxxHeaders = (rel: string) => rel.startsWith("include/");
  // Debian 13 keeps each one's files in an architecture's package of its own (gcc-14-x86-64-linux-gnu).
  const names = [`gcc-${major}`, `cpp-${major}`, `libgcc-${major}-dev`, `g++-${major}`, `libstdc++-${major}-dev`];
  for (const pkg of names.flatMap((name) => [debianPackage(name), debianPackage(`${name}-x86-64-linux-gnu`)]))
    for (const copy of usrCopies(
      pkg,
      (rel) => driverPrograms.has(rel) || gccLibDir(rel) || (pkg?.name.startsWith("libstdc++") === true && cxxHeaders(rel)),
    ))
      copies.push({ ...copy, to: driverPrograms.get(copy.to) ?? copy.to });
  for (const copy of usrCopies(binutils, (rel) => rel.startsWith(`bin/${triple}-`) || rel.startsWith(`lib/${triple}/ldscripts/`))) {
    const program = copy.to.slice(`bin/${triple}-`.length);
    if (copy.to.startsWith("lib/")) copies.push(copy);
    else if (binutilsPrograms.includes(program)) copies.push({ ...copy, to: `bin/${program === "ld.bfd" ? "ld" : program}` });
  }
  return { attr: ["gccUnwrapped"], pname: "gcc", version: upstreamVersion(gcc.version), copies };
}

/**
 * The C library to compile and link against, as a sysroot: Debian's libc6-dev, Linux's and
 * libxcrypt's headers, with the runtime libraries its
 * linker scripts name at their absolute paths (the linker looks for those inside the sysroot).
 */
export function libcSysrootTree(): HostTree | undefined {
  const libc = debianPackage("libc6-dev");
  if (!libc) return undefined;
  const copies: TreeCopy[] = [];
  for (const name of ["libc6-dev", "linux-libc-dev", "libcrypt-dev"])
    for (const copy of usrCopies(debianPackage(name), (rel) => rel.startsWith("include/") || /^lib\/x86_64-linux-gnu\/[^/]+$/.test(rel)))
      copies.push({ ...copy, to: `usr/${copy.to}` });
  const runtime = "/lib/x86_64-linux-gnu";
  for (const soname of ["libc.so.6", "libm.so.6", "libmvec.so.1", "libgcc_s.so.1", "libcrypt.so.1"])
    if (existsSync(path.join(runtime, soname)))
      copies.push({ from: realpathSync(path.join(runtime, soname)), to: `lib/x86_64-linux-gnu/${soname}` });
  const loader = "/lib64/ld-linux-x86-64.so.2";
  if (existsSync(loader)) copies.push({ from: realpathSync(loader), to: "lib64/ld-linux-x86-64.so.2" });
  return { attr: ["libcSysroot"], pname: "glibc-sysroot", version: upstreamVersion(libc.version), copies };
}

/**
 * The host's Rust toolchain (rustup's, or any `rustc --print sysroot` names): rustc, cargo,
 * rustdoc, rustfmt and clippy with the standard library for the host. Its documentation, its
 * debugger wrappers and the standard library's sources are left out.
 */
export function rustTree(): HostTree | undefined {
  const found = rustSysroot();
  if (!found || !existsSync(path.join(found.sysroot, "bin/cargo"))) return undefined;
  // Debian's rustc is spread over /usr, its compiler libraries beside the system's (copied with
  // the libraries rustc loads); rustup's is a tree of its own.
  const copies =
    found.sysroot === "/usr"
      ? ["rustc", "cargo", "libstd-rust-dev"].flatMap((name) =>
          usrCopies(debianPackage(name), (rel) => /^bin\/(rustc|rustdoc|cargo)$/.test(rel) || /^lib\/rustlib\/(?!etc\/)/.test(rel)),
        )
      : [
          {
            from: realpathSync(found.sysroot),
            to: ".",
            skip: /^(share|libexec|etc|bin\/rust-(gdb|gdbgui|lldb)|lib\/rustlib\/(src|etc)|lib\/rustlib\/[^/]+\/bin\/(rust-objcopy|wasm-component-ld))$/,
          },
        ];
  return { attr: ["rustToolchain"], pname: "rust", version: found.version, copies };
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
