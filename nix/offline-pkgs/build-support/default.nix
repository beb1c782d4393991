# nixpkgs' trivial builders and mkShell, with the same arguments and results.
{ lib, stdenv, bootstrap }:
let
  runtimeShell = "${bootstrap.bash}/bin/bash";

  # As nixpkgs: runCommand may be substituted; runCommandLocal (runLocal) builds here.
  runCommandWith = { name, runLocal ? false, derivationArgs ? { } }: buildCommand:
    stdenv.mkDerivation ({
      inherit name buildCommand;
      passAsFile = [ "buildCommand" ] ++ (derivationArgs.passAsFile or [ ]);
    } // lib.optionalAttrs runLocal {
      preferLocalBuild = true;
      allowSubstitutes = false;
    } // removeAttrs derivationArgs [ "passAsFile" ]);

  runCommand = name: env: runCommandWith { inherit name; derivationArgs = env; };
  runCommandLocal = name: env: runCommandWith { inherit name; runLocal = true; derivationArgs = env; };

  writeTextFile = { name, text, executable ? false, destination ? "", checkPhase ? "" }:
    runCommand name {
      inherit text executable checkPhase destination;
      passAsFile = [ "text" ];
      preferLocalBuild = true;
      allowSubstitutes = false;
    } ''
      target="$out$destination"
      if [ -n "$destination" ]; then mkdir -p "''${target%/*}"; fi
      cp "$textPath" "$target"
      if [ -n "$executable" ]; then chmod +x "$target"; fi
      eval "$checkPhase"
    '';

  writeShellScriptBin = name: text: writeTextFile {
    inherit name;
    executable = true;
    destination = "/bin/${name}";
    text = ''
      #!${runtimeShell}
      ${text}
    '';
    checkPhase = ''${runtimeShell} -n "$target"'';
  };

  writeShellScript = name: text: writeTextFile {
    inherit name;
    executable = true;
    text = ''
      #!${runtimeShell}
      ${text}
    '';
    checkPhase = ''${runtimeShell} -n "$target"'';
  };

  # nixpkgs' buildEnv merges the trees of `paths` into one tree of symlinks, linking whole
  # directories where only one package provides them; collisions are errors unless ignored.
  # Each path contributes its meta.outputsToInstall (else itself) and the extraOutputsToInstall
  # it has, as nixpkgs' chosenOutputs.
  buildEnv = { name, paths, pathsToLink ? [ "/" ], ignoreCollisions ? false, postBuild ? ""
             , extraOutputsToInstall ? [ ], meta ? { }, passthru ? { }, ... }:
    let
      chosenOutputs = drv:
        (if (!drv ? outputSpecified || !drv.outputSpecified) && drv.meta.outputsToInstall or null != null
         then map (outName: drv.${outName}) drv.meta.outputsToInstall
         else [ drv ])
        ++ lib.concatMap (outName: if drv ? ${outName} then [ drv.${outName} ] else [ ]) extraOutputsToInstall;
    in
    runCommand name {
      inherit postBuild meta passthru;
      preferLocalBuild = true;
      allowSubstitutes = false;
      paths = builtins.concatStringsSep " " (map toString (lib.concatMap chosenOutputs paths));
      pathsToLink = builtins.concatStringsSep " " pathsToLink;
      ignoreCollisions = if ignoreCollisions then "1" else "";
    } ''
      source ${./build-env.sh}
      runHook postBuild
    '';

  mkShell = { name ? "nix-shell", packages ? [ ], inputsFrom ? [ ], buildInputs ? [ ]
            , nativeBuildInputs ? [ ], propagatedBuildInputs ? [ ], propagatedNativeBuildInputs ? [ ]
            , shellHook ? "", ... }@attrs:
    let
      mergeInputs = attr: (attrs.${attr} or [ ])
        ++ builtins.filter (p: !(builtins.elem p inputsFrom))
             (builtins.concatLists (map (d: d.${attr} or [ ]) inputsFrom));
      rest = removeAttrs attrs [ "name" "packages" "inputsFrom" "buildInputs" "nativeBuildInputs"
        "propagatedBuildInputs" "propagatedNativeBuildInputs" "shellHook" ];
    in stdenv.mkDerivation ({
      inherit name;
      buildInputs = mergeInputs "buildInputs";
      nativeBuildInputs = packages ++ mergeInputs "nativeBuildInputs";
      propagatedBuildInputs = mergeInputs "propagatedBuildInputs";
      propagatedNativeBuildInputs = mergeInputs "propagatedNativeBuildInputs";
      shellHook = builtins.concatStringsSep "\n"
        (lib.catAttrs "shellHook" (lib.reverseList inputsFrom ++ [ attrs ]));
      phases = [ "buildPhase" ];
      buildPhase = ''
        { echo "------------------------------------------------------------";
          echo " WARNING: the existence of this path is not guaranteed.";
          echo " It is an internal implementation detail for pkgs.mkShell.";
          echo "------------------------------------------------------------";
          echo;
          export;
        } >> "$out"
      '';
      preferLocalBuild = true;
    } // rest);
in {
  inherit runCommand runCommandWith runCommandLocal writeTextFile writeShellScriptBin writeShellScript buildEnv mkShell;
  runCommandNoCC = runCommand;
  writeText = name: text: writeTextFile { inherit name text; };
  writeScript = name: text: writeTextFile { inherit name text; executable = true; };
  writeScriptBin = name: text: writeTextFile { inherit name text; executable = true; destination = "/bin/${name}"; };
  symlinkJoin = { name, paths, postBuild ? "", ... }: buildEnv { inherit name paths postBuild; };
}
