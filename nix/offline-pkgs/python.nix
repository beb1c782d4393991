# python3 from the host's Debian Python, its packages (python3Packages) and withPackages, with
# nixpkgs' attribute names and meaning. An environment is a venv: pyvenv.cfg beside bin/ names
# the interpreter, so the packages are found without a variable that would leak into the
# programs Python starts (nixpkgs' wrapper sets NIX_PYTHONPATH for the same effect).
{ lib, runCommand, imports, patchedTree, pythonVersion }:
let
  inherit (builtins) concatStringsSep genericClosure mapAttrs;
  executable = "python${pythonVersion}";
  sitePackages = "lib/${executable}/site-packages";

  # Bytecode is compiled once, in the build, as nixpkgs does: the store's files all have the same
  # mtime, so pyc files are checked by hash, never by time (PEP 552 "unchecked-hash"), and a
  # read-only store would otherwise make every start compile the modules it imports again.
  compileBytecode = interpreter: dir: ''
    "${interpreter}" -m compileall -q -j 0 --invalidation-mode unchecked-hash "${dir}" > /dev/null || true
  '';

  python = patchedTree imports.python3 {
    postInstall = ''
      ln -s ${executable} "$out/bin/python3"
      ln -s ${executable} "$out/bin/python"
      ${compileBytecode "$out/bin/${executable}" "$out/lib/${executable}"}
    '';
    passthru = {
      inherit pythonVersion executable sitePackages withPackages;
      pkgs = packages;
      interpreter = "${python}/bin/${executable}";
    };
  };

  # Every package the given ones need, each once.
  withDependencies = roots: map (item: item.package) (genericClosure {
    startSet = map (package: { key = package.pname; inherit package; }) roots;
    operator = item: map (package: { key = package.pname; inherit package; }) item.package.pythonDependencies;
  });

  # A package's programs run Debian's script through a launcher that puts the package and what
  # it needs on sys.path first, as nixpkgs' wrapPythonPrograms does.
  package = t: let
    dependencies = map (name: packages.${name}) t.pythonDeps;
    searchPath = map (p: "${p}/${sitePackages}") (withDependencies dependencies);
    self = patchedTree t {
      postInstall = ''
        ${compileBytecode "${python}/bin/${executable}" "$out/${sitePackages}"}
        if [ -d "$out/bin" ]; then
          mkdir -p "$out/libexec/python-scripts"
          for program in "$out"/bin/*; do
            name=''${program##*/}
            mv "$program" "$out/libexec/python-scripts/$name"
            {
              echo "#!${python}/bin/${executable}"
              echo "import runpy, site, sys"
              echo "for directory in ['$out/${sitePackages}', ${concatStringsSep ", " (map (p: "'${p}'") searchPath)}]: site.addsitedir(directory)"
              echo "sys.argv[0] = '$name'"
              echo "runpy.run_path('$out/libexec/python-scripts/$name', run_name='__main__')"
            } > "$program"
            chmod +x "$program"
          done
        fi
      '';
      passthru = {
        pythonModule = python;
        pythonDependencies = dependencies;
        requiredPythonModules = withDependencies [ self ];
      };
    };
  in self;
  packages = mapAttrs (_: package) imports.python3Packages;

  withPackages = select:
    let selected = withDependencies (select packages); in
    runCommand "${executable}-${imports.python3.version}-env" { } ''
      mkdir -p "$out/bin" "$out/${sitePackages}"
      printf 'home = %s\ninclude-system-site-packages = false\nversion = %s\n' ${python}/bin ${imports.python3.version} > "$out/pyvenv.cfg"
      ln -s ${python}/bin/${executable} "$out/bin/${executable}"
      ln -s ${executable} "$out/bin/python3"
      ln -s ${executable} "$out/bin/python"
      for package in ${concatStringsSep " " selected}; do
        for entry in "$package/${sitePackages}"/*; do
          name=''${entry##*/}
          if [ -e "$out/${sitePackages}/$name" ]; then
            echo "withPackages: $name is in two packages ($(readlink "$out/${sitePackages}/$name") and $entry)" >&2
            exit 1
          fi
          ln -s "$entry" "$out/${sitePackages}/$name"
        done
        # Programs run by the environment's interpreter, which finds every package.
        if [ -d "$package/libexec/python-scripts" ]; then
          for script in "$package"/libexec/python-scripts/*; do
            { echo "#!$out/bin/${executable}"; tail -n +2 "$script"; } > "$out/bin/''${script##*/}"
            chmod +x "$out/bin/''${script##*/}"
          done
        fi
      done
    '' // { inherit python sitePackages executable; };
in
python
