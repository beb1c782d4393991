# The shell, builds, tests and image roots of one system, from `pkgs` (nixpkgs for that system).
# Every derivation name comes with the data (src/nix/flake-attrs.ts names them).
{ pkgs, inputs, root, manifest, system }:
let
  inherit (builtins) attrValues concatLists concatStringsSep filter listToAttrs mapAttrs replaceStrings;
  inherit (pkgs) lib;
  packages = import ./packages.nix { inherit pkgs inputs system; };

  # Every package the manifest names is checked at once, so one evaluation reports every
  # unknown package, each at its field, not the first only.
  packageRefs = manifest.shell.packages
    ++ concatLists (map (spec: spec.packages) (attrValues manifest.builds ++ attrValues manifest.tests))
    ++ concatLists (map (image: map (item: item.package) (filter (item: item.package != null) image.contents)) (attrValues manifest.images));
  sections = [ manifest.shell ] ++ attrValues manifest.builds ++ attrValues manifest.tests;
  pythonProblems = concatLists (map (spec: if spec.python == null then [ ] else python.problems spec.python) sections);
  packageProblems = filter (p: p != null) (map packages.problem packageRefs) ++ pythonProblems;
  resolve = ref: if packageProblems == [ ] then packages.resolve ref else throw (concatStringsSep "\n" packageProblems);
  source = import ./source.nix { inherit lib root; };
  node = import ./node.nix {
    inherit pkgs lib root system;
    registry = manifest.npmRegistry or null;
    settings = manifest.npmSettings or { };
    pnpmLocks = manifest.pnpmLocks or { };
    yarnLocks = manifest.yarnLocks or { };
  };
  python = import ./python.nix { inherit pkgs; };
  go = import ./go.nix { inherit pkgs lib root; locks = manifest.goModules or { }; };
  # One module cache per go.mod directory, however many fields name it.
  goCaches = listToAttrs (map (dir: { name = dir; value = go.moduleCache dir; }) (lib.unique (map (spec: spec.go.module)
    (filter (spec: (spec.go or null) != null) (attrValues manifest.builds ++ attrValues manifest.tests)))));
  goSetup = spec: lib.optionalString ((spec.go or null) != null) (go.setup goCaches.${spec.go.module}.install);
  rust = import ./rust.nix { inherit pkgs lib root; locks = manifest.rustLocks or { }; };
  # One vendor directory per Cargo.lock, however many fields name it.
  rustVendors = listToAttrs (map (dir: { name = dir; value = rust.vendor dir; }) (lib.unique (map (spec: spec.rust.workspace)
    (filter (spec: (spec.rust or null) != null) (attrValues manifest.builds ++ attrValues manifest.tests)))));
  rustSetup = spec: lib.optionalString ((spec.rust or null) != null) (rust.setup rustVendors.${spec.rust.workspace}.install);
  pythonLock = import ./python-lock.nix { inherit pkgs lib system; locks = manifest.pythonLocks or { }; };

  # What a `node` or `python` field adds to a build, test or the shell: the interpreter (and
  # python's packages) on PATH, and for node the lockfile's node_modules linked into `projectDir`
  # with its .bin on PATH. A user's node_modules never enters a source: the locked one replaces it.
  languageInputs = spec: lib.optionals (spec.node != null) ([ pkgs.nodejs ] ++ (npmProject spec).tools)
    ++ lib.optionals ((spec.go or null) != null) [ pkgs.go ]
    # (cargo links through the C compiler, which nixpkgs' stdenv has anyway)
    ++ lib.optionals ((spec.rust or null) != null) ([ pkgs.rustc pkgs.cargo ] ++ lib.optional ((pkgs.stdenv.cc or null) != null) pkgs.stdenv.cc)
    ++ lib.optionals (spec.python != null) [ (resolveLanguage pythonEnvironment spec.python) ];
  # One venv per Python lockfile, groups and interpreter, however many fields name it.
  pythonLockSpec = spec: { inherit (spec) lockfile groups version; };
  pythonInstalls = listToAttrs (map (spec: { name = builtins.toJSON (pythonLockSpec spec.python); value = pythonLock.install spec.python; })
    (filter (spec: spec.python != null && (spec.python.lockfile or null) != null) sections));
  pythonEnvironment = spec: if (spec.lockfile or null) == null then python.environment spec
    else pythonInstalls.${builtins.toJSON (pythonLockSpec spec)}.install;
  resolveLanguage = f: x: if packageProblems == [ ] then f x else throw (concatStringsSep "\n" packageProblems);
  # One evaluation per npm project (lockfile and options), however many fields name it.
  npmProjects = listToAttrs (map (spec: { name = builtins.toJSON spec.node; value = node.project spec.node; })
    (filter (spec: spec.node != null) sections));
  npmProject = spec: npmProjects.${builtins.toJSON spec.node};
  nodeModules = spec: (npmProject spec).install;
  linkNodeModules = spec: projectDir: lib.optionalString (spec.node != null) ''
    ${node.link (nodeModules spec) projectDir}
    PATH="${projectDir}/${(nodeModules spec).dir}/node_modules/.bin:$PATH"
  '';
  sourceOf = spec: source.filter spec.src (if spec.node == null then { include = [ ]; exclude = [ ]; } else {
    include = map (member: "${member}/**") (npmProject spec).members;
    # (and a yarn Plug'n'Play install's files)
    exclude = [ "**/node_modules" "**/.pnp.cjs" "**/.pnp.loader.mjs" "**/.yarn/cache" "**/.yarn/unplugged" "**/.yarn/install-state.gz" "**/.yarn/.nixkit-pnp" ];
  });

  buildVariable = name: "NIXKIT_BUILD_${replaceStrings [ "-" ] [ "_" ] name}";
  neededVariables = spec: listToAttrs (map (need: {
    name = buildVariable need;
    value = "${builds.${need}}";
  }) spec.needs);
  neededOnPath = spec: concatStringsSep "\n" (map (need:
    let dir = "\"\$${buildVariable need}/bin\""; in "if [ -d ${dir} ]; then PATH=${dir}:$PATH; fi") spec.needs);

  # Files pinned by sha256 (`data`), each a fixed-output input in $NIXKIT_DATA_<name>: downloaded by
  # Nix, or a project file added flat (Nix checks its bytes against the hash either way).
  dataVariables = spec: lib.mapAttrs' (name: file: lib.nameValuePair "NIXKIT_DATA_${name}" "${
    if file.url != null then import <nix/fetchurl.nix> { inherit (file) url hash; name = "nixkit-data-${name}"; }
    else builtins.path { path = root + "/${file.path}"; name = "nixkit-data-${name}"; recursive = false; inherit (file) sha256; }
  }") (spec.data or { });

  # `env` entries become derivation attributes (mkDerivation's `env`), so a name Nix interprets
  # would change how the derivation is built (outputHash* lifts the network sandbox, __noChroot
  # the chroot). nixkit's manifest rules refuse these names; this is the second line.
  plainEnv = field: env:
    let
      controls = n: builtins.match "__.*|outputHash.*|impureEnvVars|builder|system|args|outputs|(dis)?allowed(References|Requisites)|exportReferencesGraph|requiredSystemFeatures|passAsFile|preferLocalBuild|allowSubstitutes" n != null;
      bad = builtins.filter controls (builtins.attrNames env);
    in
    if bad == [ ] then env
    else throw "nixkit.yaml ${field}.${builtins.head bad}: not a plain environment variable (Nix reads it as a build setting)";

  # Runs the manifest's script under bash in a writable copy of the filtered source.
  # The script reaches the builder as a file (passAsFile), never as shell source text.
  scriptDerivation = { field, spec, run, extraAttrs ? { } }:
    pkgs.stdenv.mkDerivation ({
      name = spec.drvName;
      src = sourceOf spec;
      # Needed builds are not inputs: nixpkgs' setup.sh sources an input that is a file, which
      # would run a build's JSON or binary as shell. They come as NIXKIT_BUILD_<name> (which
      # keeps the dependency), their bin/ directories on PATH.
      nativeBuildInputs = [ pkgs.bash ] ++ map resolve spec.packages ++ languageInputs spec;
      env = plainEnv "${field}.env" spec.env // neededVariables spec // dataVariables spec;
      nixkitScript = spec.script;
      passAsFile = [ "nixkitScript" ];
      dontConfigure = true;
      # The last phase message marks when the script ended: Nix may report a build's end only
      # when its whole batch is done, and nixkit shows how long each one ran.
      # The sandbox has no /usr/bin/env or /bin/bash: the source copy's executable scripts get
      # store interpreters first (nixpkgs' patchShebangs), unless the manifest says not to.
      buildPhase = ''
        runHook preBuild
        ${neededOnPath spec}
        ${lib.optionalString (spec.patchShebangs or true) "patchShebangs . > /dev/null"}
        ${linkNodeModules spec "$PWD"}
        ${goSetup spec}
        ${rustSetup spec}
        ${run}
        if [ -n "''${NIX_LOG_FD-}" ]; then echo '@nix {"action":"setPhase","phase":"nixkit-script-done"}' >&"$NIX_LOG_FD"; fi
        runHook postBuild
      '';
      dontInstall = true;
    } // extraAttrs);

  # After a script failed: the executable files whose #! interpreter the sandbox does not have.
  shebangHint = ''
    nixkitShebangHint() {
      find . -name node_modules -prune -o -type f -perm -0100 -print 2>/dev/null | while IFS= read -r file; do
        IFS= read -r line < "$file" || true
        case "$line" in "#!"*) ;; *) continue ;; esac
        interpreter="''${line#\#!}"; interpreter="''${interpreter%% *}"
        if [ -n "$interpreter" ] && [ ! -e "$interpreter" ]; then
          echo "nixkit.yaml $1: $file starts with #!$interpreter, which the sandbox does not have; let patchShebangs point it at the store (drop patchShebangs: false, or run patchShebangs $file in the script)" >&2
        fi
      done
    }
  '';

  builds = mapAttrs (name: spec: scriptDerivation {
    inherit spec;
    field = "builds.${name}";
    run = ''
      ${shebangHint}
      bash -eo pipefail "$nixkitScriptPath" || { status=$?; nixkitShebangHint ${lib.escapeShellArg "builds.${name}"}; exit "$status"; }
      if [ ! -e "$out" ]; then
        echo ${lib.escapeShellArg "nixkit.yaml builds.${name}: the script did not create $out; write the build's result there"} >&2
        exit 1
      fi
    '';
  }) manifest.builds;

  # A test's report records failure instead of failing (like stdenv's succeedOnFailure), so its
  # reports and full log come out of the sandbox even when the test fails.
  testReports = mapAttrs (name: spec: scriptDerivation {
    inherit spec;
    field = "tests.${name}";
    extraAttrs.dontFixup = true;
    run = ''
      mkdir -p "$out/reports" "$out/nix-support"
      export NIXKIT_REPORTS="$out/reports"
      set +e
      bash -eo pipefail "$nixkitScriptPath" 2>&1 | tee "$out/log"
      status=''${PIPESTATUS[0]}
      set -e
      echo "$status" > "$out/exit-code"
      ${shebangHint}
      if [ "$status" -ne 0 ]; then echo "$status" > "$out/nix-support/failed"; nixkitShebangHint ${lib.escapeShellArg "tests.${name}"} 2>&1 | tee -a "$out/log"; fi
    '';
  }) manifest.tests;

  # What `nix flake check` runs: fails when the report says the test failed.
  tests = mapAttrs (name: report: pkgs.runCommand name { inherit report; } ''
    if [ -e "$report/nix-support/failed" ]; then
      echo ${lib.escapeShellArg "nixkit.yaml tests.${name}: the test failed"} "(exit $(cat "$report/nix-support/failed")); last lines of its log:" >&2
      tail -n 50 "$report/log" >&2
      exit 1
    fi
    mkdir -p "$out"
    ln -s "$report" "$out/report"
  '') testReports;

  # An image's root: its contents (builds and packages) merged into one tree of symlinks, like
  # dockerTools' copyToRoot. Its closure is the image's store content; nixkit writes the image
  # layers itself, straight from the store.
  images = mapAttrs (name: spec: pkgs.buildEnv {
    name = spec.drvName;
    paths = map (item: if item.build != null then builds.${item.build} else resolve item.package) spec.contents;
  }) manifest.images;

  shell = pkgs.mkShell {
    name = "${manifest.name}-shell";
    packages = map resolve manifest.shell.packages ++ languageInputs manifest.shell;
    env = plainEnv "shell.env" manifest.shell.env;
    # nixkit sets NIXKIT_PROJECT; plain `nix develop` runs in the project.
    shellHook = linkNodeModules manifest.shell "\${NIXKIT_PROJECT:-$PWD}" + manifest.shell.hook;
  };
  # Every lockfile's install (npm's, pnpm's, yarn's, Python's, a go.sum's, a Cargo.lock's) with
  # its fixed-output downloads, for nixkit, which fetches the missing ones ahead, in parallel
  # (src/node/prefetch.ts): Nix fetches them one after another in the sandbox. An `archive` is
  # yarn 4's zip of the npm package of that name, made from the tarball at `url`. Plain strings:
  # `nix eval --json` refuses values that carry derivations with them.
  npmInstalls = let plain = builtins.unsafeDiscardStringContext; in map (p: {
    install = plain p.install.outPath;
    downloads = map (file: { inherit (file) url name; hash = file.outputHash; path = plain file.outPath; }
      // lib.optionalAttrs (file ? archive) { inherit (file) archive; }) p.downloads;
  }) (attrValues npmProjects ++ attrValues pythonInstalls ++ attrValues goCaches ++ attrValues rustVendors);
in { inherit builds tests testReports images shell npmInstalls; }
