# A package manager as its npm package (pnpm, yarn), fetched from npm's registry by its
# integrity and run on the environment's node: `bins` maps each command to its script. With
# `scriptShell`, each command is a wrapper that gives the tool a shell for lifecycle scripts
# (yarn 1 runs them through node's `shell: true`, /bin/sh, which the sandbox does not have).
{ pkgs, lib, registry }:
# `package` is its npm name when not `name` (yarn 4: @yarnpkg/cli-dist). `scriptHash` is
# packageManager's hash when it is not the tarball's: corepack downloads yarn 2+ as its script,
# so the hash may be of `bins`' script; the build fails unless it is the tarball's or the script's.
{ name, version, hash, bins, package ? name, scriptHash ? null, scriptShell ? false, fixup ? "" }:
pkgs.stdenv.mkDerivation {
  pname = name;
  inherit version;
  src = import <nix/fetchurl.nix> {
    url = if registry == null then throw "${name} is downloaded from npm's registry setting; run `nixkit generate`"
      else "${registry}/${package}/-/${lib.last (lib.splitString "/" package)}-${version}.tgz";
    inherit hash;
    name = "${name}-${version}.tgz";
  };
  buildInputs = [ pkgs.nodejs ];
  dontConfigure = true;
  dontBuild = true;
  installPhase = ''
    runHook preInstall
    ${lib.optionalString (scriptHash != null) ''
      node -e '
        const { createHash } = require("node:crypto"), fs = require("node:fs");
        const [sri, script, tarball] = process.argv.slice(1);
        const [algorithm, digest] = [sri.slice(0, sri.indexOf("-")), sri.slice(sri.indexOf("-") + 1)];
        const of = (file) => createHash(algorithm).update(fs.readFileSync(file)).digest("base64");
        if (of(script) !== digest && of(tarball) !== digest) {
          console.error("package.json packageManager names ${name}@${version} with a hash that matches neither its npm tarball nor its script: run corepack use ${name}@${version} to record it again");
          process.exit(1);
        }' ${lib.escapeShellArg scriptHash} ${lib.escapeShellArg (builtins.head (builtins.attrValues bins))} "$src"
    ''}
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
