# Crates from Cargo.lock (checked by nixkit: src/rust/cargo-lock.ts), as nixpkgs' importCargoLock
# takes them: every registry crate its own fixed-output fetch keyed by the lock's checksum, from
# where the user's cargo configuration says that registry serves crates (recorded by nixkit:
# src/rust/registries.ts); unpacked into one vendor directory per workspace, which cargo reads
# offline through source replacement, as `cargo vendor` would set it up.
{ pkgs, lib, root, locks }:
let
  inherit (builtins) concatStringsSep filter fromTOML map readFile replaceStrings stringLength substring toJSON;
  lower = replaceStrings (lib.stringToCharacters "ABCDEFGHIJKLMNOPQRSTUVWXYZ") (lib.stringToCharacters "abcdefghijklmnopqrstuvwxyz");
  # The index's directory of a crate, as cargo's registry protocol spells it ({prefix}).
  prefix = name: let n = stringLength name; in
    if n == 1 then "1" else if n == 2 then "2" else if n == 3 then "3/${substring 0 1 name}"
    else "${substring 0 2 name}/${substring 2 2 name}";
  urlOf = registry: crate: replaceStrings [ "{crate}" "{version}" "{prefix}" "{lowerprefix}" "{sha256-checksum}" ]
    [ crate.name crate.version (prefix crate.name) (lower (prefix crate.name)) crate.checksum ] registry.dl;

  # One vendor directory (and cargo configuration) per Cargo.lock directory.
  vendor = dir:
    let
      lock = locks.${dir};
      lockfile = (if dir == "." then root else root + "/${dir}") + "/Cargo.lock";
      crates = filter (p: p ? source && p ? checksum && lock.registries ? ${p.source}) ((fromTOML (readFile lockfile)).package or [ ]);
      fetch = crate: import <nix/fetchurl.nix> {
        url = urlOf lock.registries.${crate.source} crate;
        sha256 = crate.checksum;
        name = "${crate.name}-${crate.version}.crate";
      };
      files = map (crate: { inherit crate; file = fetch crate; }) crates;
      sources = lib.unique (map (crate: lock.registries.${crate.source}) crates);
      config = concatStringsSep "\n" (map (registry: ''
        [source.${toJSON registry.name}]
        ${lib.optionalString (registry.registry != null) "registry = ${toJSON registry.registry}"}
        replace-with = "nixkit-vendored"
      '') sources);
      # A .crate is a gzipped tar of NAME-VERSION/; cargo checks a vendored crate against the
      # package checksum in .cargo-checksum.json (the files' own list may be empty).
      install = pkgs.runCommand "cargo-vendor" { inherit config; passAsFile = [ "config" ]; } ''
        mkdir -p "$out/crates"
        ${concatStringsSep "\n" (map (f: let d = "$out/crates/${f.crate.name}-${f.crate.version}"; in ''
          mkdir "${d}"
          tar -xzf ${f.file} -C "${d}" --strip-components=1
          echo '{"files":{},"package":"${f.crate.checksum}"}' > "${d}/.cargo-checksum.json"'') files)}
        { cat "$configPath"; printf '[source.nixkit-vendored]\ndirectory = "%s"\n' "$out/crates"; } > "$out/config.toml"
      '';
    in {
      inherit install;
      downloads = map (f: f.file) files;
    };
in {
  inherit vendor;
  # Shell code that makes cargo use the vendored crates, offline, in a build or test.
  setup = vendored: ''
    export CARGO_HOME="$TMPDIR/cargo-home" CARGO_NET_OFFLINE=true
    mkdir -p "$CARGO_HOME"
    cp ${vendored}/config.toml "$CARGO_HOME/config.toml"
  '';
}
