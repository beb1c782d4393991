# Python from a lockfile (uv.lock or hashed requirements.txt, read by nixkit: src/python/), as
# uv2nix and pyproject-nix do it, without Nix code in the project: the distributions the lock
# installs for this system and interpreter (its environment markers evaluated here, where the
# interpreter is known), each wheel its own fixed-output fetch keyed by the lock's sha256, installed
# into one venv per lockfile and groups, shared by builds, tests and the shell.
# A distribution the lock has no wheel for, here, is built from its sdist (python-build-sdist.py).
{ pkgs, lib, system, locks }:
let
  inherit (builtins) compareVersions concatLists concatStringsSep elem elemAt filter genericClosure genList head length map match replaceStrings sort toJSON;
  toInt = s: builtins.fromJSON s;

  interpreterOf = spec: if spec.version == null then pkgs.python3 else pkgs."python${replaceStrings [ "." ] [ "" ] spec.version}";
  isDarwin = lib.hasSuffix "-darwin" system;
  machine = { x86_64-linux = "x86_64"; aarch64-linux = "aarch64"; x86_64-darwin = "x86_64"; aarch64-darwin = "arm64"; }.${system} or system;

  # PEP 508's environment, for this system and interpreter.
  environmentOf = python: {
    python_version = python.pythonVersion;
    python_full_version = python.version;
    implementation_version = python.version;
    os_name = "posix";
    sys_platform = if isDarwin then "darwin" else "linux";
    platform_system = if isDarwin then "Darwin" else "Linux";
    platform_machine = machine;
    platform_python_implementation = "CPython";
    implementation_name = "cpython";
    platform_release = "";
    platform_version = "";
    extra = "";
  };

  dropLast = list: genList (elemAt list) (length list - 1);
  # PEP 440 comparisons with the forms locks use: ==/!= with a trailing .*, ~= (compatible release).
  versionMatches = op: have: want:
    let
      prefix = lib.removeSuffix ".*" want;
      startsWith = have == prefix || lib.hasPrefix "${prefix}." have;
      c = compareVersions have want;
      parts = lib.splitString "." want;
      compatible = c >= 0 && (let p = concatStringsSep "." (dropLast parts); in have == p || lib.hasPrefix "${p}." have);
    in
    if op == "==" then (if lib.hasSuffix ".*" want then startsWith else c == 0)
    else if op == "!=" then (if lib.hasSuffix ".*" want then !startsWith else c != 0)
    else if op == "<" then c < 0
    else if op == "<=" then c <= 0
    else if op == ">" then c > 0
    else if op == ">=" then c >= 0
    else if op == "~=" then compatible
    else if op == "===" then have == want
    else throw "unknown version comparison ${op}";
  # A specifier set (">=3.9,<3.13"): every clause holds.
  specifierHolds = specifiers: version: lib.foldl' (ok: clause:
    let m = match " *(~=|===|==|!=|<=|>=|<|>) *([^ ]+) *" clause; in
    ok && (clause == "" || (m != null && versionMatches (elemAt m 0) version (elemAt m 1)))) true (lib.splitString "," specifiers);

  versionVariables = [ "python_version" "python_full_version" "implementation_version" ];
  flipped = { "<" = ">"; ">" = "<"; "<=" = ">="; ">=" = "<="; "==" = "=="; "!=" = "!="; "~=" = "~="; "===" = "==="; };
  contains = needle: hay: needle == "" || length (lib.splitString needle hay) > 1;
  # A marker tree (src/python/markers.ts) under `env`.
  markerHolds = env: marker:
    if marker == null then true
    else if marker ? and then markerHolds env (elemAt marker.and 0) && markerHolds env (elemAt marker.and 1)
    else if marker ? or then markerHolds env (elemAt marker.or 0) || markerHolds env (elemAt marker.or 1)
    else
      let
        left = elemAt marker.compare 0;
        op = elemAt marker.compare 1;
        right = elemAt marker.compare 2;
        value = operand: if operand ? variable then env.${operand.variable} else operand.string;
        isVersion = operand: operand ? variable && elem operand.variable versionVariables;
      in
      if op == "in" then contains (value left) (value right)
      else if op == "not in" then !(contains (value left) (value right))
      else if isVersion left then versionMatches op (value left) (value right)
      else if isVersion right then versionMatches flipped.${op} (value right) (value left)
      else if op == "==" || op == "===" then value left == value right
      else if op == "!=" then value left != value right
      else if op == "<" then builtins.lessThan (value left) (value right)
      else if op == ">" then builtins.lessThan (value right) (value left)
      else if op == "<=" then !(builtins.lessThan (value right) (value left))
      else if op == ">=" then !(builtins.lessThan (value left) (value right))
      else false;

  # A wheel's rank for this interpreter and system, as packaging.tags orders the tags pip and uv
  # accept (lower is preferred): this CPython's ABI, then the stable ABI of older ones, then
  # pure-Python tags; platform wheels (newest manylinux first) before `any`. null: not installable.
  wheelRank = python: filename:
    let
      parts = lib.splitString "-" (lib.removeSuffix ".whl" filename);
      count = length parts;
      tags = i: lib.splitString "." (elemAt parts (count - i));
      minor = toInt (elemAt (lib.splitString "." python.pythonVersion) 1);
      cp = "cp3${toString minor}";
      minorOf = prefix: tag: let m = match "${prefix}3([0-9]+)" tag; in if m == null then null else toInt (head m);
      interpreterRank = py: abi:
        if py == cp && abi == cp then 0
        else if py == cp && abi == "abi3" then 1
        else if py == cp && abi == "none" then 2
        else if abi == "abi3" && minorOf "cp" py != null && minorOf "cp" py < minor && minorOf "cp" py >= 2 then 3 + minor - minorOf "cp" py
        else if abi == "none" && py == "py3${toString minor}" then 50
        else if abi == "none" && py == "py3" then 51
        else if abi == "none" && minorOf "py" py != null && minorOf "py" py < minor then 52 + minor - minorOf "py" py
        else null;
      glibcMinor = toInt (elemAt (lib.splitString "." pkgs.glibc.version) 1);
      legacy = { manylinux1 = 5; manylinux2010 = 12; manylinux2014 = 17; };
      platformRank = tag:
        let
          modern = match "manylinux_2_([0-9]+)_(.*)" tag;
          old = match "(manylinux1|manylinux2010|manylinux2014)_(.*)" tag;
          glibcFor = if modern != null then toInt (head modern) else if old != null then legacy.${head old} else null;
          arch = if modern != null then elemAt modern 1 else if old != null then elemAt old 1 else null;
        in
        if isDarwin then (if match "macosx_[0-9]+_[0-9]+_(.*)" tag != null && elem (head (match "macosx_[0-9]+_[0-9]+_(.*)" tag)) [ machine "universal2" ] then 0 else null)
        else if glibcFor != null then (if arch == machine && glibcFor <= glibcMinor then glibcMinor - glibcFor else null)
        else if tag == "linux_${machine}" then 999
        else null;
      ranks = concatLists (map (py: concatLists (map (abi: map (platform:
        let i = interpreterRank py abi; p = if platform == "any" then 0 else platformRank platform; in
        if i == null || p == null then null
        else if platform == "any" then 100000 + i
        else i * 1000 + p) (tags 1)) (tags 2))) (tags 3));
      valid = filter (r: r != null) ranks;
    in
    if count < 5 || valid == [ ] then null else lib.foldl' (a: b: if b < a then b else a) (head valid) valid;

  readFile = line: let words = lib.splitString " " line; in { filename = elemAt words 0; url = elemAt words 1; hash = elemAt words 2; };
  fetchFile = file: import <nix/fetchurl.nix> { inherit (file) url hash; name = file.filename; };

  # A wheel built from a source distribution (pure Python, or what the build's compiler can build)
  # by its PEP 517 backend, in the sandbox; a directory with the one wheel.
  buildWheel = python: dist: sdist: pkgs.stdenv.mkDerivation {
    name = "${dist.name}-${dist.version}-wheel";
    src = sdist;
    dontUnpack = true;
    # (the C compiler for extensions: nixpkgs' stdenv has it anyway; the offline set's names it)
    nativeBuildInputs = [ (python.withPackages (ps: [ ps.setuptools ps.wheel ] ++ map (name: ps.${name}) (builtins.filter (name: ps ? ${name}) [ "hatchling" "hatch-vcs" "poetry-core" ])))
    ] ++ lib.optional ((pkgs.stdenv.cc or null) != null) pkgs.stdenv.cc;
    installPhase = ''
      runHook preInstall
      export HOME="$TMPDIR"
      # The compiler sysconfig names is the one CPython was built with (Debian's
      # x86_64-linux-gnu-gcc); the one on PATH builds the extensions, as nixpkgs' CC does.
      # Its distutils may also name CPython's own include directory, not this interpreter's.
      if command -v cc > /dev/null; then
        export CC=cc CXX=c++ LDSHARED="cc -shared" LDCXXSHARED="c++ -shared"
        export CPATH="$(python -c 'import sysconfig; print(sysconfig.get_paths()["include"])')''${CPATH:+:$CPATH}"
      fi
      python ${./python-build-sdist.py} "$src" "$out" ${lib.escapeShellArg "${dist.name} ${dist.version}"}
      runHook postInstall
    '';
  };

  # The one install of a lockfile with these groups and interpreter.
  install = spec:
    let
      python = interpreterOf spec;
      lock = locks.${spec.lockfile};
      env = environmentOf python;
      edgesOf = item: if item.extra == null then item.dist.dependencies else item.dist.extras.${item.extra} or [ ];
      itemsOf = edge:
        let dist = lock.distributions.${edge.key}; in
        [ { key = edge.key; inherit dist; extra = null; } ] ++ map (extra: { key = "${edge.key}[${extra}]"; inherit dist extra; }) edge.extras;
      follow = edges: concatLists (map itemsOf (filter (edge: markerHolds env edge.marker) edges));
      roots = lock.roots ++ concatLists (map (group: (lock.groups or { }).${group} or [ ]) spec.groups);
      reached = genericClosure { startSet = follow roots; operator = item: follow (edgesOf item); };
      distributions = sort (a: b: a.name < b.name) (map (item: item.dist) (filter (item: item.extra == null && item.dist.installs) reached));
      # The wheel to install: the best one the lock has for here, or one built from the sdist.
      wheelOf = dist:
        let
          ranked = filter (w: w.rank != null) (map (line: let file = readFile line; in { inherit file; rank = wheelRank python file.filename; }) dist.wheels);
          best = head (sort (a: b: a.rank < b.rank) ranked);
        in
        if ranked != [ ] then { fetched = fetchFile best.file; wheel = fetchFile best.file; }
        else if dist.sdist != null then let sdist = fetchFile (readFile dist.sdist); in { fetched = sdist; wheel = buildWheel python dist sdist; }
        else throw "nixkit.yaml ${spec.field}: ${spec.lockfile}: ${dist.name} ${dist.version} has no wheel for Python ${python.version} on ${system} and no source distribution; pin a version of ${dist.name} that publishes one, or use the Python version its wheels are for (python.version)";
      chosen = map wheelOf distributions;
      wheels = map (c: c.wheel) chosen;
      libraryDirs = map (p: "${p}/lib") (pkgs.pythonManylinuxPackages.manylinux2014 or [ ]);
    in
    if !(specifierHolds lock.requiresPython python.version)
    then throw "nixkit.yaml ${spec.field}: ${spec.lockfile} requires Python ${lock.requiresPython}, and the package set's is ${python.version}; set python.version to one that matches"
    else {
      install = pkgs.stdenv.mkDerivation {
        name = "python${python.pythonVersion}-${replaceStrings [ "/" "." ] [ "-" "-" ] spec.lockfile}-env";
        dontUnpack = true;
        nativeBuildInputs = [ pkgs.patchelf ];
        wheelList = concatStringsSep "\n" wheels;
        passAsFile = [ "wheelList" ];
        # The wheels' libraries are made to find the manylinux libraries (libstdc++…) here; stdenv's
        # own strip and patchelf would change the wheels' bytes for nothing.
        dontStrip = true;
        dontPatchELF = true;
        installPhase = ''
          runHook preInstall
          ${python.interpreter} ${./python-install.py} "$out" ${python} "$wheelListPath" ${concatStringsSep ":" libraryDirs}
          runHook postInstall
        '';
        # Scripts in the wheels (#!/usr/bin/env python3) run the venv's interpreter, which finds its packages.
        preFixup = ''PATH="$out/bin:$PATH"'';
        passthru = { inherit python; };
      };
      downloads = map (c: c.fetched) chosen;
    };
in {
  inherit install markerHolds wheelRank specifierHolds;
}
