# The package set. Package attribute names follow nixpkgs; each tool is a busybox applet
# or static bash, so behaviour is POSIX/busybox, not GNU, where the two differ.
{ system }:
let
  lib = import ./lib.nix;
  bootstrap = import ./bootstrap.nix { inherit system; };
  stdenv = import ./stdenv { inherit lib system bootstrap; };
  support = import ./build-support { inherit lib stdenv bootstrap; };
  applets = import ./applets.nix { inherit lib bootstrap stdenv; };
  pkgs = applets // support // {
    inherit lib stdenv system;
    stdenvNoCC = stdenv;
    bash = bootstrap.bash;
    bashInteractive = bootstrap.bash;
    runtimeShell = "${bootstrap.bash}/bin/bash";
    busybox = bootstrap.busybox;
    hello = import ./hello.nix { inherit stdenv bootstrap; };
    cacert = import ./cacert.nix { inherit stdenv; };
    pkgs = pkgs;
  };
in pkgs
