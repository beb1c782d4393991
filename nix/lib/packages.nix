# Manifest package references ({ input, attrPath, field, text }): `problem` says why one does not
# name a package (in the manifest's words, naming its field), `resolve` gives the derivation.
# References into nixpkgs resolve in `pkgs`, the package set the caller gave; other inputs in
# their packages.<system>, then legacyPackages.<system>.
{ pkgs, inputs, system }:
let
  inherit (builtins) foldl' hasAttr isAttrs typeOf;
  find = ref:
    let
      input = inputs.${ref.input};
      lookup = set: foldl' (found: name:
        if found != null && isAttrs found && hasAttr name found then found.${name} else null) set ref.attrPath;
      candidates = if ref.input == "nixpkgs" then [ pkgs ] else [ (input.packages.${system} or null) (input.legacyPackages.${system} or null) ];
    in foldl' (result: set: if result == null && set != null then lookup set else result) null candidates;
  licenseOf = drv: let l = drv.meta.license or { }; in
    builtins.concatStringsSep ", " (map (x: x.shortName or "unknown") (if builtins.isList l then l else [ l ]));
in rec {
  problem = ref:
    let found = find ref; in
    if found == null then
      "nixkit.yaml ${ref.field}: package \"${ref.text}\" is not in input \"${ref.input}\" for ${system} (check the attribute name, e.g. on search.nixos.org)"
    else if !(isAttrs found && found ? outPath) then
      "nixkit.yaml ${ref.field}: \"${ref.text}\" is not a package (it is a ${typeOf found}; name a derivation)"
    # nixpkgs throws when an unfree package is used; its meta says so first, without throwing.
    else if (found.meta.unfree or false) && !(found.meta.available or true) then
      let name = found.pname or (builtins.parseDrvName found.name).name; in
      "nixkit.yaml ${ref.field}: package \"${ref.text}\" has an unfree license (${licenseOf found}) and nixpkgs refuses it; to accept its license, add \"${name}\" to nixpkgs.allowUnfree in nixkit.yaml"
    else null;
  resolve = ref: let p = problem ref; in if p == null then find ref else throw p;
}
