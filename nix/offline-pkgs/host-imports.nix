# The host's Node.js and Python (imported by `nixkit offline-pkgs`: src/offline/host-trees.ts),
# made to run from the store as nixpkgs' autoPatchelfHook makes prebuilt binaries run: every ELF
# file gets the imported glibc's loader and a search path of its package's lib/ and glibc's.
# Attribute names and meaning follow nixpkgs for what they cover; what the host lacks is absent.
{ lib, stdenv, bootstrap, system, imports, runCommand }:
let
  inherit (builtins) head match;

  # A host tree, by its content hash. `nixkit offline-pkgs` added it to the store; like nixpkgs'
  # requireFile, building it only says how to get it.
  imported = t: derivation {
    inherit (t) name;
    inherit system;
    builder = "${bootstrap.seed}/bin/bash";
    args = [ "-c" "echo '${t.name} is not in this Nix store: run `nixkit offline-pkgs` on this machine to import it' >&2; exit 1" ];
    outputHashMode = "recursive";
    outputHashAlgo = "sha256";
    outputHash = t.hash;
  };

  glibc = imported imports.glibc // { inherit (imports.glibc) pname version; };
  patchelfFiles = imported imports.patchelf;

  # Copies a host tree and points its ELF files at the store (the list comes with the tree).
  # patchelf itself runs through the loader, which needs no search path of its own.
  patchedTree = t: extra: stdenv.mkDerivation ({
    inherit (t) pname version;
    files = imported t;
    dontUnpack = true;
    installPhase = ''
      runHook preInstall
      cp -r "$files" "$out"
      chmod -R u+w "$out"
      loader=$(echo ${glibc}/lib/ld-linux*)
      patchelf() { "$loader" --library-path ${patchelfFiles}/lib:${glibc}/lib ${patchelfFiles}/bin/patchelf "$@"; }
      while read -r kind file; do
        [ -n "$file" ] || continue
        # A program's search path is DT_RPATH (--force-rpath), not DT_RUNPATH: ld.so searches an
        # executable's DT_RPATH for what a dlopen()ed library needs too, as it searches a nixpkgs
        # glibc's built-in lib dir. So a prebuilt native addon (rollup's, lightningcss') that asks
        # for librt.so.1 finds the imported glibc's, where the host loader would look in /lib.
        if [ "$kind" = program ]; then
          patchelf --force-rpath --set-rpath "$out/lib:${glibc}/lib" "$out/$file"
          patchelf --set-interpreter "$loader" "$out/$file"
        else
          patchelf --set-rpath "$out/lib:${glibc}/lib" "$out/$file"
        fi
      done < "$files/nix-support/elf-files"
      rm "$out/nix-support/elf-files"
      rmdir "$out/nix-support"
      runHook postInstall
    '';
  } // extra);

  nodejs = patchedTree imports.nodejs {
    postInstall = ''
      if [ -d "$out/lib/node_modules/npm" ]; then
        ln -s ../lib/node_modules/npm/bin/npm-cli.js "$out/bin/npm"
        ln -s ../lib/node_modules/npm/bin/npx-cli.js "$out/bin/npx"
      fi
    '';
    # npm's scripts say `#!/usr/bin/env node`: patchShebangs finds this node.
    preFixup = ''PATH="$out/bin:$PATH"'';
    meta.mainProgram = "node";
  };
  nodeMajor = head (match "([0-9]+)\\..*" nodejs.version);

  gccLib = patchedTree imports.gccLib { };

  # Debian's GCC and binutils, wrapped as nixpkgs' cc-wrapper wraps its GCC (in small): the
  # imported C library is the sysroot (headers, crt files, the libraries to link against), and
  # what it links runs with the store's glibc, not the host's /lib64 loader.
  gcc = if !(imports ? gccUnwrapped && imports ? libcSysroot && imports ? gccLib) then null else
    let
      unwrapped = patchedTree imports.gccUnwrapped { };
      sysroot = imported imports.libcSysroot;
      wrapper = ''
        #!${bootstrap.bash}/bin/bash
        link=(-Wl,-dynamic-linker,${glibc}/lib/ld-linux-x86-64.so.2 -Wl,-rpath,${glibc}/lib -Wl,-rpath,${gccLib}/lib)
        for arg in "$@"; do case "$arg" in -c|-S|-E|-M|-MM) link=() ;; esac; done
        exec ${unwrapped}/bin/@program@ -B${unwrapped}/bin/ --sysroot=${sysroot} "''${link[@]}" "$@"
      '';
    in runCommand "gcc-wrapper-${imports.gccUnwrapped.version}" {
      inherit wrapper;
      passAsFile = [ "wrapper" ];
      passthru = { cc = unwrapped; libc = glibc; isGNU = true; };
      meta.mainProgram = "gcc";
    } ''
      mkdir -p "$out/bin"
      for program in gcc g++ cpp; do
        [ -e "${unwrapped}/bin/$program" ] || continue
        sed "s/@program@/$program/" "$wrapperPath" > "$out/bin/$program"
        chmod +x "$out/bin/$program"
      done
      ln -s gcc "$out/bin/cc"
      if [ -e "$out/bin/g++" ]; then ln -s g++ "$out/bin/c++"; fi
      for program in ${unwrapped}/bin/*; do
        [ -e "$out/bin/''${program##*/}" ] || ln -s "$program" "$out/bin/"
      done
    '';

  # The host's Rust toolchain, split as nixpkgs splits it (rustc with rustdoc; cargo; rustfmt;
  # clippy), each a link into the one tree: rustc finds its standard library from where it really is.
  rust = let
    toolchain = patchedTree imports.rustToolchain { dontFixup = true; };
    programs = pname: names: runCommand "${pname}-${toolchain.version}" { inherit pname; inherit (toolchain) version; } ''
      mkdir -p "$out/bin"
      for program in ${builtins.concatStringsSep " " names}; do
        if [ -e "${toolchain}/bin/$program" ]; then ln -s "${toolchain}/bin/$program" "$out/bin/"; fi
      done
    '';
  in {
    rustc = programs "rustc" [ "rustc" "rustdoc" ];
    cargo = programs "cargo" [ "cargo" ];
    rustfmt = programs "rustfmt" [ "rustfmt" "cargo-fmt" ];
    clippy = programs "clippy" [ "cargo-clippy" "clippy-driver" ];
  };

  pythonVersion = head (match "([0-9]+\\.[0-9]+).*" imports.python3.version);
  pythonAttr = "python${builtins.replaceStrings [ "." ] [ "" ] pythonVersion}";
  python3 = import ./python.nix { inherit lib runCommand imports patchedTree pythonVersion; };
in
lib.optionalAttrs (imports ? glibc && imports ? patchelf) (
  {
    inherit glibc;
    # patchelf itself, for builds (nixpkgs' stdenv has it too).
    patchelf = patchedTree imports.patchelf { };
  }
  # GCC's runtime libraries and glibc: what nixpkgs' pythonManylinuxPackages lists for manylinux
  # wheels (less the X11 and GL libraries, which the set does not have).
  # The host's Go toolchain (GOROOT as it is: bin/go finds its tools and standard library beside it).
  // lib.optionalAttrs (imports ? go) { go = patchedTree imports.go { dontFixup = true; }; }
  // lib.optionalAttrs (imports ? gccLib) {
    pythonManylinuxPackages = { manylinux1 = [ glibc gccLib ]; manylinux2010 = [ glibc gccLib ]; manylinux2014 = [ glibc gccLib ]; };
  }
  // lib.optionalAttrs (gcc != null) { inherit gcc; }
  // lib.optionalAttrs (imports ? rustToolchain && gcc != null) rust
  // lib.optionalAttrs (imports ? nodejs) {
    inherit nodejs;
    "nodejs_${nodeMajor}" = nodejs;
  }
  // lib.optionalAttrs (imports ? python3) {
    inherit python3;
    python3Packages = python3.pkgs;
    ${pythonAttr} = python3;
    "${pythonAttr}Packages" = python3.pkgs;
  }
)
