{
  description = "nixkit: one YAML manifest to reproducible Nix workflows";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";

  outputs = { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;
      forAllSystems = lib.genAttrs [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
    in {
      packages = forAllSystems (system:
        let pkgs = nixpkgs.legacyPackages.${system}; in {
          default = pkgs.buildNpmPackage {
            pname = "nixkit";
            version = (lib.importJSON ./package.json).version;
            src = lib.fileset.toSource {
              root = ./.;
              fileset = lib.fileset.unions [
                ./package.json ./package-lock.json ./tsconfig.json
                ./bin ./scripts/build.mjs ./src ./nix ./templates ./schema
              ];
            };
            nodejs = pkgs.nodejs_20;
            # Dependencies come from package-lock.json's integrity hashes; no separate npmDepsHash.
            npmDeps = pkgs.importNpmLock { npmRoot = ./.; };
            npmConfigHook = pkgs.importNpmLock.npmConfigHook;
            # nixkit drives the user's own Nix; put the package set's Nix on PATH only as a fallback.
            postInstall = ''
              wrapProgram $out/bin/nixkit --suffix PATH : ${lib.makeBinPath [ pkgs.nix ]}
            '';
            nativeBuildInputs = [ pkgs.makeWrapper ];
            meta = {
              description = "One YAML manifest to reproducible Nix workflows";
              mainProgram = "nixkit";
              license = lib.licenses.mit;
            };
          };
        });

      devShells = forAllSystems (system:
        let pkgs = nixpkgs.legacyPackages.${system}; in {
          default = pkgs.mkShell {
            packages = [ pkgs.nodejs_20 pkgs.nix pkgs.busybox pkgs.skopeo pkgs.umoci pkgs.runc ];
          };
        });
    };
}
