{
  description = "nixkit offline package set: a small nixpkgs-compatible set built from static busybox and bash";

  outputs = { self }:
    let
      host = import ./host.nix;
      lib = import ./lib.nix;
    in {
      inherit lib;
      legacyPackages.${host.system} = import ./default.nix { inherit (host) system; };
    };
}
