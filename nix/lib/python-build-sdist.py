# Builds a wheel from a source distribution, as pip and uv do (PEP 517): the sdist unpacked, its
# pyproject.toml's build backend (setuptools' legacy one when it names none) asked for a wheel.
# The backend must be in the build environment (nixpkgs' setuptools and wheel, hatchling with
# hatch-vcs, poetry-core; a sdist whose backend is another is refused naming it). SOURCE_DATE_EPOCH (stdenv sets it) dates the wheel's
# files, and the sources are unpacked at a fixed path, so the wheel is the same bytes on every build.
# Usage: python python-build-sdist.py SDIST OUT-DIR NAME
import importlib, os, sys, tarfile, tempfile, tomllib, zipfile

sdist, out, name = sys.argv[1:4]


def fail(message):
    sys.stderr.write("%s: %s\n" % (name, message))
    sys.exit(1)


# A fixed place, not a random temp name: a C extension's debug information names its sources' paths.
work = os.path.join(os.environ.get("TMPDIR") or tempfile.gettempdir(), "nixkit-sdist")
os.mkdir(work)
if sdist.endswith(".zip"):
    with zipfile.ZipFile(sdist) as archive:
        for member in archive.namelist():
            if member.startswith("/") or ".." in member.split("/"):
                fail("the sdist has a file outside its tree (%s)" % member)
        archive.extractall(work)
else:
    with tarfile.open(sdist) as archive:
        # (what tarfile's "data" filter refuses, which older Pythons lack)
        for member in archive.getmembers():
            # A symlink's target is relative to its directory (../idna/x.py from tools/ stays
            # inside); a hard link's to the archive's root.
            target = ""
            if member.issym():
                target = os.path.normpath(os.path.join(os.path.dirname(member.name), member.linkname))
            elif member.islnk():
                target = os.path.normpath(member.linkname)
            outside = lambda name: name.startswith("/") or name == ".." or name.startswith("../")
            if outside(os.path.normpath(member.name)) or ".." in member.name.split("/") or outside(target) or member.linkname.startswith("/"):
                fail("the sdist has a file or link outside its tree (%s)" % member.name)
            if not (member.isfile() or member.isdir() or member.issym() or member.islnk()):
                fail("the sdist has a device or FIFO (%s)" % member.name)
        archive.extractall(work)
entries = os.listdir(work)
if len(entries) != 1 or not os.path.isdir(os.path.join(work, entries[0])):
    fail("not a source distribution (one top directory expected, found %s)" % ", ".join(sorted(entries)))
source = os.path.join(work, entries[0])
os.chdir(source)

build_system = {}
if os.path.exists("pyproject.toml"):
    with open("pyproject.toml", "rb") as f:
        build_system = tomllib.load(f).get("build-system", {})
backend_name = build_system.get("build-backend", "setuptools.build_meta:__legacy__")
module_name, _, attribute = backend_name.partition(":")
sys.path[:0] = [os.path.join(source, p) for p in build_system.get("backend-path", [])]
try:
    backend = importlib.import_module(module_name)
except ImportError as error:
    fail(
        "its build backend %s (pyproject.toml's build-system, which asks for %s) is not in the build environment (%s); nixkit builds sdists with setuptools, hatchling and poetry-core: pin a version that publishes a wheel"
        % (backend_name, ", ".join(build_system.get("requires", [])) or "nothing", error)
    )
for part in filter(None, attribute.split(".")):
    backend = getattr(backend, part)
os.makedirs(out)
wheel = backend.build_wheel(out)
sys.stdout.write("%s: built %s\n" % (name, wheel))
