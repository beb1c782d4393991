# fast-glob patterns to POSIX extended regexes for builtins.match (whole-path match):
# `**/` any directories, `**` anything, `*` and `?` within one path segment, `[...]` classes
# (`[!...]` negated), `{a,b}` alternatives. Dotfiles match like fast-glob's `dot: true`.
{ lib }:
let
  inherit (builtins) concatStringsSep elemAt isList map split substring stringLength;
  tokens = "(\\*\\*/|\\*\\*|\\*|\\?|\\[[^]]*]|\\{[^}]*}|[.+^$()|\\\\])";

  tokenToRegex = token:
    if token == "**/" then "(.*/)?"
    else if token == "**" then ".*"
    else if token == "*" then "[^/]*"
    else if token == "?" then "[^/]"
    else if substring 0 2 token == "[!" then "[^" + substring 2 (stringLength token) token
    else if substring 0 1 token == "[" then token
    else if substring 0 1 token == "{" then
      "(" + concatStringsSep "|" (map toRegex (lib.splitString "," (substring 1 (stringLength token - 2) token))) + ")"
    else "\\" + token;

  toRegex = pattern:
    let pieces = split tokens (lib.removePrefix "./" pattern);
    in concatStringsSep "" (map (p: if isList p then tokenToRegex (elemAt p 0) else p) pieces);
in { inherit toRegex; }
