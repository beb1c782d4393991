# Installs wheels into a venv at OUT, as pip and installer do (the wheel spec, PEP 427/491): files
# unpacked into site-packages, the .data directories to their schemes, console and GUI entry points
# as scripts, #!python lines pointed at the venv. Then the wheels' ELF libraries get the manylinux
# libraries' directories (libstdc++…) in their search path, as nixpkgs' autoPatchelfHook gives
# them, and the bytecode is compiled.
# Usage: python python-install.py OUT PYTHON-PREFIX WHEEL-LIST LIBRARY-DIRS
import compileall, concurrent.futures, configparser, os, py_compile, re, subprocess, sys, zipfile

out, python_prefix, wheel_list, library_dirs = sys.argv[1:5]
version = "%d.%d" % sys.version_info[:2]
executable = "python" + version
site = os.path.join(out, "lib", executable, "site-packages")
bin_dir = os.path.join(out, "bin")
os.makedirs(site)
os.makedirs(bin_dir)
with open(os.path.join(out, "pyvenv.cfg"), "w") as cfg:
    cfg.write("home = %s/bin\ninclude-system-site-packages = false\nversion = %d.%d.%d\n" % ((python_prefix,) + tuple(sys.version_info[:3])))
for name in (executable, "python3", "python"):
    os.symlink(os.path.join(python_prefix, "bin", executable), os.path.join(bin_dir, name))
interpreter = os.path.join(bin_dir, executable)


def fail(message):
    sys.stderr.write("python-install: %s\n" % message)
    sys.exit(1)


def target_of(name, data_dir, dist):
    """Where a file of the wheel goes, or None for a directory entry."""
    parts = name.split("/")
    if name.startswith("/") or ".." in parts or "" in parts[:-1]:
        fail("%s: the wheel has a file outside its tree (%s)" % (dist, name))
    if parts[-1] == "":
        return None
    if parts[0] == data_dir and len(parts) > 2:
        scheme, rest = parts[1], parts[2:]
        if scheme in ("purelib", "platlib"):
            return os.path.join(site, *rest)
        if scheme == "scripts":
            return os.path.join(bin_dir, *rest)
        if scheme == "headers":
            return os.path.join(out, "include", "site", executable, dist, *rest)
        if scheme == "data":
            return os.path.join(out, *rest)
        fail("%s: the wheel has an unknown .data scheme %s" % (dist, scheme))
    return os.path.join(site, *parts)


def entry_point_script(module, attribute):
    return (
        "#!%s\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom %s import %s\n"
        "if __name__ == \"__main__\":\n"
        "    sys.argv[0] = re.sub(r\"(-script\\.pyw|\\.exe)?$\", \"\", sys.argv[0])\n"
        "    sys.exit(%s())\n" % (interpreter, module, attribute.split(".")[0], attribute)
    )


def wheel_plan(wheel):
    """The wheel's distribution name and its files: (member name, target, mode)."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info_dirs = sorted({n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info")})
        if len(info_dirs) != 1:
            fail("%s: not a wheel (%d .dist-info directories)" % (wheel, len(info_dirs)))
        dist = info_dirs[0][: -len(".dist-info")]
        files = []
        for member in archive.infolist():
            target = target_of(member.filename, dist + ".data", dist)
            if target is not None:
                files.append((member.filename, target, (member.external_attr >> 16) & 0o777))
        return dist, files


def extract(job):
    """Writes the files of one wheel that are its to write."""
    wheel, files = job
    with zipfile.ZipFile(wheel) as archive:
        for name, target, mode in files:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            content = archive.read(name)
            is_script = target.startswith(bin_dir + os.sep)
            if is_script and content.startswith(b"#!python"):
                content = b"#!" + interpreter.encode() + b"\n" + content.partition(b"\n")[2]
            with open(target, "wb") as f:
                f.write(content)
            os.chmod(target, 0o755 if (mode & 0o111 or is_script) else 0o644)


with open(wheel_list) as listing:
    # (a wheel built from an sdist comes as a directory holding it)
    wheels = [
        os.path.join(line, next(n for n in os.listdir(line) if n.endswith(".whl"))) if os.path.isdir(line) else line
        for line in listing.read().split("\n")
        if line
    ]
plans = [wheel_plan(wheel) for wheel in wheels]
# A file two wheels have is the later one's, as pip overwrites; said, since the two disagree.
owners = {}
for index, (dist, files) in enumerate(plans):
    for _, target, _ in files:
        if target in owners:
            sys.stderr.write("python-install: %s replaces %s's %s\n" % (dist, plans[owners[target]][0], os.path.relpath(target, out)))
        owners[target] = index
# Unpacked by one process per core, in parts of a few hundred files (scipy's wheel alone is a
# third of the bytes).
jobs = []
for index, (wheel, (_, files)) in enumerate(zip(wheels, plans)):
    owned = [f for f in files if owners[f[1]] == index]
    jobs += [(wheel, owned[i : i + 300]) for i in range(0, len(owned), 300)]
with concurrent.futures.ProcessPoolExecutor() as pool:
    list(pool.map(extract, jobs))

for wheel, (dist, _) in zip(wheels, plans):
    with zipfile.ZipFile(wheel) as archive:
        entry_points = "%s.dist-info/entry_points.txt" % dist
        if entry_points in archive.namelist():
            parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
            parser.optionxform = str
            parser.read_string(archive.read(entry_points).decode("utf-8"))
            for section in ("console_scripts", "gui_scripts"):
                if not parser.has_section(section):
                    continue
                for script, spec in parser.items(section):
                    module, _, attribute = spec.split("[")[0].strip().partition(":")
                    path = os.path.join(bin_dir, script.strip())
                    if os.path.lexists(path):
                        os.unlink(path)
                    with open(path, "w") as f:
                        f.write(entry_point_script(module.strip(), attribute.strip() or "main"))
                    os.chmod(path, 0o755)
    with open(os.path.join(site, "%s.dist-info" % dist, "INSTALLER"), "w") as f:
        f.write("nixkit\n")

# ELF files: the manylinux libraries' directories after the wheel's own ($ORIGIN/../numpy.libs).
# DT_RPATH as auditwheel writes it, not DT_RUNPATH: ld.so searches a library's DT_RPATH for what
# the libraries it loads need too (scipy's libgfortran finds its libquadmath through _fblas's).
# Only files that name one of those libraries (a DT_NEEDED entry is its name in the file) change;
# glibc's own the interpreter has loaded already.
glibc = re.compile(r"^(ld-linux.*|lib(c|m|dl|pthread|rt|util|resolv|nsl|anl|mvec|BrokenLocale)\.so(\.\d+)*)$")
if library_dirs:
    provided = sorted(
        {name.encode() for d in library_dirs.split(":") if os.path.isdir(d) for name in os.listdir(d) if ".so" in name and not glibc.match(name)}
    )
    elf = []
    for directory, _, files in os.walk(site):
        for name in files:
            path = os.path.join(directory, name)
            if os.path.islink(path) or ".so" not in name:
                continue
            with open(path, "rb") as f:
                data = f.read()
            if data[:4] == b"\x7fELF" and any(soname in data for soname in provided):
                elf.append(path)
    for path in sorted(elf):
        subprocess.run(["patchelf", "--force-rpath", "--add-rpath", library_dirs, path], check=True)

# Bytecode, by hash: the store's mtimes say nothing. A package's own test suite (scipy's, pandas')
# is half the files and rarely imported: it is compiled in memory when it is.
compileall.compile_dir(site, quiet=2, workers=0, rx=re.compile(r"/tests/"), invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
