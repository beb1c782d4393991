# stdenv.mkDerivation with nixpkgs' calling convention: phases, hooks, nativeBuildInputs,
# buildInputs, env, passthru. The builder is bash so `nix develop` accepts the derivation.
{ lib, system, bootstrap }:
let
  setup = derivation {
    name = "stdenv-offline";
    inherit system;
    builder = "${bootstrap.bash}/bin/bash";
    args = [ "-e" (builtins.toFile "stdenv-builder.sh" ''
      $busybox/bin/mkdir -p $out
      { echo "shell=$shellPath"; $busybox/bin/cat ${./setup.sh}; } > $out/setup
      echo "$initialPath" > $out/initial-path
    '') ];
    busybox = bootstrap.busybox;
    shellPath = "${bootstrap.bash}/bin/bash";
    initialPath = "${bootstrap.busybox} ${bootstrap.bash}";
  };

  # nixpkgs checks `env` for collisions with derivation arguments; so do we.
  envAttrs = name: attrs: env:
    let clashes = builtins.filter (n: attrs ? ${n}) (builtins.attrNames env);
    in if clashes != [ ]
       then throw "mkDerivation ${name}: env.${builtins.head clashes} is also a derivation argument"
       else env;

  mkDerivation = attrs:
    let
      name = attrs.name or "${attrs.pname}-${attrs.version}";
      passthru = attrs.passthru or { };
      plain = removeAttrs attrs [ "passthru" "meta" "env" "pos" ];
      drv = derivation (plain // envAttrs name plain (attrs.env or { }) // {
        inherit name system;
        builder = "${bootstrap.bash}/bin/bash";
        args = [ "-e" ./default-builder.sh ];
        stdenv = setup;
        nativeBuildInputs = attrs.nativeBuildInputs or [ ];
        buildInputs = attrs.buildInputs or [ ];
        propagatedBuildInputs = attrs.propagatedBuildInputs or [ ];
        propagatedNativeBuildInputs = attrs.propagatedNativeBuildInputs or [ ];
      });
      outputs = attrs.outputs or [ "out" ];
      withOutputs = drv // lib.genAttrs outputs (o: drv.${o} // passthru);
    in withOutputs // passthru // {
      meta = attrs.meta or { };
      inherit passthru;
      overrideAttrs = f:
        # Accepts both `prev: { }` and nixpkgs' `final: prev: { }` forms.
        let update = f attrs; in mkDerivation (attrs // (if builtins.isFunction update then update attrs else update));
    };
in {
  inherit system mkDerivation;
  shell = "${bootstrap.bash}/bin/bash";
  cc = null;
  isLinux = builtins.match ".*-linux" system != null;
  isDarwin = builtins.match ".*-darwin" system != null;
  hostPlatform = { inherit system; isLinux = builtins.match ".*-linux" system != null; };
  buildPlatform = { inherit system; };
  outPath = setup.outPath;
}
