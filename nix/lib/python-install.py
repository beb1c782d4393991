# Installs wheels into a venv at OUT, as pip and installer do (the wheel spec, PEP 427/491): files
# unpacked into site-packages, the .data directories to their schemes, console and GUI entry points
# as scripts, #!python lines pointed at the venv. Then the wheels' ELF libraries get the manylinux
# libraries' directories (libstdc++…) in their search path, as nixpkgs' autoPatchelfHook gives
# them, and the bytecode is compiled by hash (the store's mtimes say nothing).
# Usage: python python-install.py OUT PYTHON-PREFIX WHEEL-LIST LIBRARY-DIRS
import compileall, configparser, os, py_compile, subprocess, sys, zipfile

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


owners = {}
with open(wheel_list) as listing:
    wheels = [line for line in listing.read().split("\n") if line]
for wheel in wheels:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info_dirs = sorted({n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info")})
        if len(info_dirs) != 1:
            fail("%s: not a wheel (%d .dist-info directories)" % (wheel, len(info_dirs)))
        dist = info_dirs[0][: -len(".dist-info")]
        data_dir = dist + ".data"
        for member in archive.infolist():
            target = target_of(member.filename, data_dir, dist)
            if target is None:
                continue
            if target in owners:
                # pip overwrites; say so, since two distributions then disagree about a file.
                sys.stderr.write("python-install: %s replaces %s's %s\n" % (dist, owners[target], os.path.relpath(target, out)))
            owners[target] = dist
            os.makedirs(os.path.dirname(target), exist_ok=True)
            content = archive.read(member)
            is_script = target.startswith(bin_dir + os.sep)
            if is_script and content.startswith(b"#!python"):
                content = b"#!" + interpreter.encode() + b"\n" + content.partition(b"\n")[2]
            if os.path.lexists(target):
                os.unlink(target)
            with open(target, "wb") as f:
                f.write(content)
            mode = (member.external_attr >> 16) & 0o777
            os.chmod(target, 0o755 if (mode & 0o111 or is_script) else 0o644)
        entry_points = "%s.dist-info/entry_points.txt" % dist
        if entry_points in names:
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
if library_dirs:
    elf = []
    for directory, _, files in os.walk(site):
        for name in files:
            path = os.path.join(directory, name)
            if os.path.islink(path):
                continue
            with open(path, "rb") as f:
                if f.read(4) == b"\x7fELF":
                    elf.append(path)
    for path in sorted(elf):
        subprocess.run(["patchelf", "--force-rpath", "--add-rpath", library_dirs, path], check=True)

compileall.compile_dir(site, quiet=2, workers=0, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
