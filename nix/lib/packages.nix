# Resolves a manifest package reference ({ input, attrPath, field, text }) to a derivation,
# with an error that names the manifest field instead of a Nix stack trace. References into
# nixpkgs resolve in `pkgs`, the package set the caller gave; other inputs in their
# packages.<system>, then legacyPackages.<system>.
{ pkgs, inputs, system }:
ref:
let
  inherit (builtins) foldl' hasAttr isAttrs;
  input = inputs.${ref.input};
  lookup = set: foldl' (found: name:
    if found != null && isAttrs found && hasAttr name found then found.${name} else null) set ref.attrPath;
  candidates = if ref.input == "nixpkgs" then [ pkgs ] else [ (input.packages.${system} or null) (input.legacyPackages.${system} or null) ];
  found = foldl' (result: set: if result == null && set != null then lookup set else result) null candidates;
in
if found == null then
  throw "nixkit.yaml ${ref.field}: package \"${ref.text}\" is not in input \"${ref.input}\" for ${system} (check the attribute name, e.g. on search.nixos.org)"
else if !(isAttrs found && found ? outPath) then
  throw "nixkit.yaml ${ref.field}: \"${ref.text}\" is not a package (it is a ${builtins.typeOf found}; name a derivation)"
else found
