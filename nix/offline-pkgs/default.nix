# The package set. Package attribute names follow nixpkgs; each tool is a busybox applet
# or static bash, so behaviour is POSIX/busybox, not GNU, where the two differ.
# Called as nixpkgs is: `import nixpkgs { system; config; }` (config: allowUnfree, allowUnfreePredicate).
{ system, config ? { }, ... }:
let
  lib = import ./lib.nix;
  bootstrap = import ./bootstrap.nix { inherit system; };
  applets = import ./applets.nix { inherit lib bootstrap system; };
  stdenv = import ./stdenv { inherit lib system bootstrap applets config; };
  support = import ./build-support { inherit lib stdenv bootstrap; };
  hostImports = import ./host-imports.nix {
    inherit lib stdenv bootstrap system;
    inherit (support) runCommand;
    imports = (import ./host.nix).imports or { };
  };
  pkgs = applets // support // hostImports // {
    inherit lib system config;
    # nixpkgs' stdenv.cc: the C compiler, when the host's GCC was imported. Unlike nixpkgs'
    # stdenv, mkDerivation does not put it on PATH by itself: a build names it (`gcc`).
    stdenv = stdenv // { cc = hostImports.gcc or null; };
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
