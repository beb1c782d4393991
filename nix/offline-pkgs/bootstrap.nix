# Imports the host's static busybox and bash (copied next to this file by `nixkit offline-pkgs`).
# busybox picks its applet from argv[0], so it must live at a path ending in /busybox.
{ system }:
let
  seed = builtins.path { path = ./bootstrap; name = "offline-bootstrap"; };
  mkSeedPackage = name: script: derivation {
    inherit name system;
    builder = "${seed}/bin/bash";
    args = [ "-e" (builtins.toFile "${name}-builder.sh" script) ];
    PATH = "${seed}/bin";
    inherit seed;
  };
in {
  inherit seed;
  bash = mkSeedPackage "bash-static" ''
    busybox mkdir -p $out/bin
    busybox cp $seed/bin/bash $out/bin/bash
    busybox ln -s bash $out/bin/sh
  '';
  busybox = mkSeedPackage "busybox-static" ''
    busybox mkdir -p $out/bin
    busybox cp $seed/bin/busybox $out/bin/busybox
    for applet in $(busybox --list); do
      case $applet in busybox|bash|sh) ;; *) busybox ln -s busybox $out/bin/$applet ;; esac
    done
    busybox ln -s busybox $out/bin/sh
  '';
}
