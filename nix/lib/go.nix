# Go modules from go.sum (read by nixkit: src/go/modules.ts), as gomod2nix does it without a
# hand-run generator: every module's zip and go.mod is its own fixed-output fetch from the module
# proxy the user's GOPROXY names, keyed by the sha256 nixkit recorded (after checking the files
# against go.sum's h1: hashes); `go mod download` then fills one module cache per go.mod from a
# file:// proxy of them, in the sandbox, and builds and tests use it with the network off.
{ pkgs, lib, root, locks }:
let
  inherit (builtins) concatStringsSep elemAt map replaceStrings;
  upper = lib.stringToCharacters "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  lower = lib.stringToCharacters "abcdefghijklmnopqrstuvwxyz";
  # The proxy protocol's escaping: an upper-case letter is "!" and its lower case.
  escapePath = replaceStrings upper (map (c: "!${c}") lower);
  readLine = line: let w = lib.splitString " " line; in { path = elemAt w 0; version = elemAt w 1; zip = elemAt w 2; mod = elemAt w 3; };
  storeName = m: ext: replaceStrings [ "/" "~" ] [ "-" "-" ] "${m.path}-${m.version}.${ext}";

  # One module cache per go.mod directory.
  moduleCache = dir:
    let
      lock = locks.${dir};
      modules = map readLine lock.modules;
      fetch = m: ext: hash: import <nix/fetchurl.nix> {
        url = "${lock.proxy}/${escapePath m.path}/@v/${escapePath m.version}.${ext}";
        inherit hash;
        name = storeName m ext;
      };
      files = builtins.concatLists (map (m:
        lib.optional (m.zip != "-") { module = m; ext = "zip"; file = fetch m "zip" m.zip; }
        ++ lib.optional (m.mod != "-") { module = m; ext = "mod"; file = fetch m "mod" m.mod; }) modules);
      # A file:// module proxy: <module>/@v/<version>.{zip,mod,info}.
      proxy = pkgs.runCommand "go-module-proxy" { } ''
        ${concatStringsSep "\n" (map (f: let d = "$out/${escapePath f.module.path}/@v"; v = escapePath f.module.version; in ''
          mkdir -p "${d}"
          ln -s ${f.file} "${d}/${v}.${f.ext}"
          echo '{"Version":"${f.module.version}"}' > "${d}/${v}.info"'') files)}
        mkdir -p "$out"
      '';
      moduleRoot = if dir == "." then root else root + "/${dir}";
      cache = pkgs.stdenv.mkDerivation {
        name = "go-modules";
        src = builtins.path {
          path = moduleRoot;
          name = "go-module";
          filter = file: type: builtins.elem (baseNameOf file) [ "go.mod" "go.sum" ] && dirOf file == toString moduleRoot;
        };
        nativeBuildInputs = [ pkgs.go ];
        dontConfigure = true;
        buildPhase = ''
          runHook preBuild
          export HOME="$TMPDIR" GOCACHE="$TMPDIR/go-cache" GOMODCACHE="$out" GOPROXY="file://${proxy}" GOSUMDB=off GOFLAGS=-mod=mod GOTOOLCHAIN=local
          go mod download
          runHook postBuild
        '';
        dontInstall = true;
        dontFixup = true;
      };
    in {
      install = cache;
      downloads = map (f: f.file) files;
    };
in {
  inherit moduleCache;
  # Shell code that makes `go` use the module cache, offline, in a build or test.
  setup = cache: ''
    export GOMODCACHE=${cache} GOPROXY=off GOSUMDB=off GOFLAGS="-mod=mod ''${GOFLAGS-}" GOTOOLCHAIN=local
    export GOCACHE="$TMPDIR/go-cache" CGO_ENABLED="''${CGO_ENABLED-0}"
  '';
}
