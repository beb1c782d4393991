{
  description = "nixkit offline package set: a small nixpkgs-compatible set built from static busybox and bash";

  # Every common system evaluates, so flakes that declare several systems can be checked;
  # the bootstrap binaries are the host's (host.nix), so only the host system can build.
  outputs = { self }:
    let lib = import ./lib.nix;
    in {
      inherit lib;
      legacyPackages = lib.genAttrs lib.systems.flakeExposed (system: import ./default.nix { inherit system; });
      hostSystem = (import ./host.nix).system;
    };
}
