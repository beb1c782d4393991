# stdenv.mkDerivation with nixpkgs' calling convention: phases, hooks, nativeBuildInputs,
# buildInputs, env, passthru. The builder is bash so `nix develop` accepts the derivation.
{ lib, system, bootstrap, applets, config }:
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
    # nixpkgs' stdenv/common-path.nix, less gnumake (busybox has none): a builder sees these
    # tools and no other busybox applet (which, wget, unzip, bc) unless it asks for them.
    initialPath = with applets; "${coreutils} ${findutils} ${diffutils} ${gnused} ${gnugrep} ${gawk} ${gnutar} ${gzip} ${bzip2} ${bootstrap.bash} ${patch} ${xz}";
  };

  # nixpkgs checks `env` for collisions with derivation arguments; so do we.
  envAttrs = name: attrs: env:
    let clashes = builtins.filter (n: attrs ? ${n}) (builtins.attrNames env);
    in if clashes != [ ]
       then throw "mkDerivation ${name}: env.${builtins.head clashes} is also a derivation argument"
       else env;

  # nixpkgs' check-meta for licenses: an unfree package evaluates only when config allows it;
  # meta.unfree and meta.available say so without throwing.
  licenses = attrs: let l = attrs.meta.license or [ ]; in if builtins.isList l then l else [ l ];
  unfree = attrs: builtins.any (l: !(l.free or true)) (licenses attrs);
  allowed = attrs: config.allowUnfree or false || (config.allowUnfreePredicate or (_: false)) attrs;
  refusal = name: attrs:
    "Package ‘${name}’ has an unfree license (‘${builtins.concatStringsSep ", " (map (l: l.shortName or "unknown") (licenses attrs))}’), refusing to evaluate.";

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
      hasOutput = o: builtins.elem o outputs;
      available = !(unfree attrs) || allowed attrs;
      checked = if available then withOutputs else
        builtins.mapAttrs (n: v: if builtins.elem n [ "outPath" "drvPath" ] then throw (refusal name attrs) else v) withOutputs;
    in checked // passthru // {
      # nixpkgs' check-meta default: what buildEnv (and nix profile) install of a package.
      meta = {
        outputsToInstall = [ (if hasOutput "bin" then "bin" else if hasOutput "out" then "out" else builtins.head outputs) ]
          ++ lib.optional (hasOutput "man") "man";
      } // attrs.meta or { } // { unfree = unfree attrs; inherit available; };
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
