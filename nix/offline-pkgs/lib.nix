# The basics of nixpkgs' lib that generated code and small package sets use; same names and
# semantics as nixpkgs.lib.
let
  inherit (builtins) attrNames concatLists concatStringsSep elem filter foldl' genList
    getAttr hasAttr head isAttrs isList isString length listToAttrs map replaceStrings
    stringLength substring tail;
in rec {
  id = x: x;
  const = x: _: x;
  inherit concatStringsSep elem filter foldl' head tail length concatLists attrNames;
  attrValues = builtins.attrValues;
  mapAttrs = builtins.mapAttrs;
  optional = cond: x: if cond then [ x ] else [ ];
  optionals = cond: xs: if cond then xs else [ ];
  optionalString = cond: s: if cond then s else "";
  optionalAttrs = cond: as: if cond then as else { };
  nameValuePair = name: value: { inherit name value; };
  genAttrs = names: f: listToAttrs (map (n: nameValuePair n (f n)) names);
  mapAttrsToList = f: attrs: map (n: f n attrs.${n}) (attrNames attrs);
  mapAttrs' = f: attrs: listToAttrs (mapAttrsToList f attrs);
  filterAttrs = pred: attrs:
    listToAttrs (filter (nv: pred nv.name nv.value) (mapAttrsToList nameValuePair attrs));
  catAttrs = builtins.catAttrs;
  concatMap = f: xs: concatLists (map f xs);
  concatMapStrings = f: xs: concatStringsSep "" (map f xs);
  concatMapStringsSep = sep: f: xs: concatStringsSep sep (map f xs);
  flatten = x: if isList x then concatMap flatten x else [ x ];
  unique = foldl' (acc: e: if elem e acc then acc else acc ++ [ e ]) [ ];
  reverseList = xs: let l = length xs; in genList (n: builtins.elemAt xs (l - n - 1)) l;
  last = xs: builtins.elemAt xs (length xs - 1);
  toList = x: if isList x then x else [ x ];
  hasPrefix = pref: str: substring 0 (stringLength pref) str == pref;
  hasSuffix = suff: str:
    let ls = stringLength str; lf = stringLength suff;
    in lf <= ls && substring (ls - lf) lf str == suff;
  removePrefix = pref: str:
    if hasPrefix pref str then substring (stringLength pref) (stringLength str) str else str;
  removeSuffix = suff: str:
    if hasSuffix suff str then substring 0 (stringLength str - stringLength suff) str else str;
  splitString = sep: s:
    let escaped = replaceStrings
      [ "\\" "[" "]" "(" ")" "{" "}" "." "*" "+" "?" "^" "$" "|" ]
      [ "\\\\" "\\[" "\\]" "\\(" "\\)" "\\{" "\\}" "\\." "\\*" "\\+" "\\?" "\\^" "\\$" "\\|" ] sep;
    in filter isString (builtins.split escaped s);
  stringToCharacters = s: genList (p: substring p 1 s) (stringLength s);
  escapeShellArg = arg: "'${replaceStrings [ "'" ] [ "'\\''" ] (toString arg)}'";
  escapeShellArgs = args: concatStringsSep " " (map escapeShellArg args);
  isDerivation = x: isAttrs x && x.type or null == "derivation";
  hasAttrByPath = path: set:
    path == [ ] || (isAttrs set && hasAttr (head path) set && hasAttrByPath (tail path) set.${head path});
  attrByPath = path: default: set:
    if hasAttrByPath path set then getAttrFromPath path set else default;
  getAttrFromPath = path: set: foldl' (s: n: getAttr n s) set path;
  makeSearchPath = sub: pkgs: concatStringsSep ":" (map (p: "${toString p}/${sub}") pkgs);
  makeBinPath = makeSearchPath "bin";
  versionAtLeast = v1: v2: builtins.compareVersions v1 v2 >= 0;
  versionOlder = v1: v2: builtins.compareVersions v2 v1 > 0;
  systems.flakeExposed = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
}
