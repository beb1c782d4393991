# Python with packages (python3.withPackages), as the manifest's `python` fields name them: each
# name is a python3Packages attribute of the chosen interpreter (python3, or pythonXY for
# `version: "X.Y"`), and each unknown one is reported at its field.
{ pkgs }:
let
  inherit (builtins) filter map replaceStrings;
  attrName = spec: if spec.version == null then "python3" else "python${replaceStrings [ "." ] [ "" ] spec.version}";
  interpreter = spec: pkgs.${attrName spec} or null;
in {
  problems = spec:
    let python = interpreter spec; in
    if python == null then [ "nixkit.yaml ${spec.field}.version: nixpkgs has no ${attrName spec} (Python ${spec.version}) for ${pkgs.system}" ]
    else map (p: "nixkit.yaml ${p.field}: package \"${p.name}\" is not in ${attrName spec}Packages (check the name, e.g. on search.nixos.org)")
      (filter (p: !(python.pkgs ? ${p.name})) spec.packages);
  environment = spec: (interpreter spec).withPackages (ps: map (p: ps.${p.name}) spec.packages);
}
