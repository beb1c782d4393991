# A package manager as its npm package (pnpm, yarn 1), fetched from npm's registry by its
# integrity and run on the environment's node: `bins` maps each command to its script. With
# `scriptShell`, each command is a wrapper that gives the tool a shell for lifecycle scripts
# (yarn 1 runs them through node's `shell: true`, /bin/sh, which the sandbox does not have).
{ pkgs, lib, registry }:
{ name, version, hash, bins, scriptShell ? false, fixup ? "" }:
pkgs.stdenv.mkDerivation {
  pname = name;
  inherit version;
  src = import <nix/fetchurl.nix> {
    url = if registry == null then throw "${name} is downloaded from npm's registry setting; run `nixkit generate`" else "${registry}/${name}/-/${name}-${version}.tgz";
    inherit hash;
    name = "${name}-${version}.tgz";
  };
  buildInputs = [ pkgs.nodejs ];
  dontConfigure = true;
  dontBuild = true;
  installPhase = ''
    runHook preInstall
    mkdir -p "$out/lib/${name}" "$out/bin"
    cp -r . "$out/lib/${name}"
    ${lib.concatStringsSep "\n" (lib.mapAttrsToList (bin: script:
      if scriptShell then ''
        printf '#!%s\nexport npm_config_script_shell="''${npm_config_script_shell:-%s}"\nexec %s "%s" "$@"\n' \
          "$(command -v bash)" "$(command -v sh)" "$(command -v node)" "$out/lib/${name}/${script}" > "$out/bin/${bin}"
        chmod +x "$out/bin/${bin}"
      '' else "ln -s ../lib/${name}/${script} \"$out/bin/${bin}\"") bins)}
    ${fixup}
    runHook postInstall
  '';
}
