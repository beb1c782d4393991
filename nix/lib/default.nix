# nixkit's Nix library: turns the manifest data that `nixkit generate` writes into flake.nix
# into flake outputs. Vendored into each project under .nixkit/lib, so the flake needs no
# nixkit input. Uses only the nixpkgs contract in nixkit's DESIGN.md.
# pkgsFor: system -> the package set (the flake passes nixpkgs' legacyPackages.${system}).
# The attribute layout below is the one src/nix/flake-attrs.ts names.
{ inputs, pkgsFor, root, manifest }:
let
  inherit (builtins) listToAttrs mapAttrs;
  forEachSystem = f: listToAttrs (map (system: { name = system; value = f system; }) manifest.systems);
  perSystem = forEachSystem (system: import ./per-system.nix { inherit inputs root manifest system; pkgs = pkgsFor system; });
in {
  devShells = mapAttrs (_: outputs: { default = outputs.shell; }) perSystem;
  packages = mapAttrs (_: outputs: outputs.builds) perSystem;
  checks = mapAttrs (_: outputs: outputs.tests) perSystem;
  # Test reports (they record failure instead of failing) and image roots, for nixkit and anyone.
  legacyPackages = mapAttrs (_: outputs: { nixkit = { inherit (outputs) testReports images npmInstalls; }; }) perSystem;
}
