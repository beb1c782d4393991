# The shell, builds and tests of one system.
{ inputs, root, manifest, system }:
let
  inherit (builtins) listToAttrs mapAttrs replaceStrings;
  pkgs = inputs.nixpkgs.legacyPackages.${system};
  inherit (pkgs) lib;
  resolve = import ./packages.nix { inherit inputs system; };
  source = import ./source.nix { inherit lib root; };

  buildVariable = name: "NIXKIT_BUILD_${replaceStrings [ "-" ] [ "_" ] name}";
  neededBuilds = spec: map (need: builds.${need}) spec.needs;
  neededVariables = spec: listToAttrs (map (need: {
    name = buildVariable need;
    value = "${builds.${need}}";
  }) spec.needs);

  # Runs the manifest's script under bash in a writable copy of the filtered source.
  # The script reaches the builder as a file (passAsFile), never as shell source text.
  scriptDerivation = { name, spec, preScript ? "", postScript ? "" }:
    pkgs.stdenv.mkDerivation {
      inherit name;
      src = source.filter spec.src;
      nativeBuildInputs = [ pkgs.bash ] ++ map resolve spec.packages ++ neededBuilds spec;
      env = spec.env // neededVariables spec;
      nixkitScript = spec.script;
      passAsFile = [ "nixkitScript" ];
      dontConfigure = true;
      buildPhase = ''
        runHook preBuild
        ${preScript}
        bash -eo pipefail "$nixkitScriptPath"
        ${postScript}
        runHook postBuild
      '';
      dontInstall = true;
    };

  builds = mapAttrs (name: spec: scriptDerivation {
    inherit name spec;
    postScript = ''
      if [ ! -e "$out" ]; then
        echo ${lib.escapeShellArg "nixkit.yaml builds.${name}: the script did not create $out; write the build's result there"} >&2
        exit 1
      fi
    '';
  }) manifest.builds;

  tests = mapAttrs (name: spec: scriptDerivation {
    inherit name spec;
    preScript = ''
      export NIXKIT_REPORTS="$out/reports"
      mkdir -p "$NIXKIT_REPORTS"
    '';
  }) manifest.tests;

  shell = pkgs.mkShell {
    name = "${manifest.name}-shell";
    packages = map resolve manifest.shell.packages;
    env = manifest.shell.env;
    shellHook = manifest.shell.hook;
  };
in { inherit builds tests shell; }
