# fast-glob patterns (with `dot: true`) to POSIX extended regexes for builtins.match:
# `**/` any directories, `**` anything, `*` and `?` within one path segment, `[...]` classes
# (`[!...]` negated), `{a,b}` alternatives. The manifest rejects what this does not cover
# (extglobs, escapes, POSIX classes), so nixkit and fast-glob agree on every accepted pattern.
{ lib }:
let
  inherit (builtins) all concatStringsSep elemAt filter isList length map match split stringLength substring;
  tokens = "(\\*\\*/|\\*\\*|\\*|\\?|\\[[^]]*]|\\{[^}]*}|[.+^$()|\\\\])";

  tokenToRegex = token:
    if token == "**/" then "(.*/)?"
    else if token == "**" then ".*"
    else if token == "*" then "[^/]*"
    else if token == "?" then "[^/]"
    else if substring 0 2 token == "[!" then "[^" + substring 2 (stringLength token) token
    else if substring 0 1 token == "[" then token
    else if substring 0 1 token == "{" then alternatives (lib.splitString "," (substring 1 (stringLength token - 2) token))
    else "\\" + token;

  # macOS's regex engine rejects an empty alternative ("(a|)"): an empty choice makes the group optional.
  alternatives = choices:
    let nonEmpty = filter (c: c != "") choices;
    in if nonEmpty == [ ] then ""
       else "(" + concatStringsSep "|" (map toRegex nonEmpty) + ")" + (if length nonEmpty < length choices then "?" else "");

  toRegex = pattern:
    let pieces = split tokens (lib.removePrefix "./" pattern);
    in concatStringsSep "" (map (p: if isList p then tokenToRegex (elemAt p 0) else p) pieces);

  # Whether files below directory `dir` (a relative path) can match `pattern`: its segments
  # must match the pattern's leading segments, until a `**` segment matches anything below.
  # Alternatives that span directories ({a/b,c}) are not split by segment: such patterns
  # keep every directory.
  mayContain = pattern:
    let
      segments = lib.splitString "/" (lib.removePrefix "./" pattern);
      spansDirectories = match ".*\\{[^}]*/[^}]*}.*" pattern != null;
      check = dirSegments: patternSegments:
        if patternSegments == [ ] then false
        else if builtins.head patternSegments == "**" then true
        else if dirSegments == [ ] then true
        else match (toRegex (builtins.head patternSegments)) (builtins.head dirSegments) != null
          && check (builtins.tail dirSegments) (builtins.tail patternSegments);
    in dir: spansDirectories || check (lib.splitString "/" dir) segments;
in { inherit toRegex mayContain; }
