# A build's or test's source: the project filtered by fast-glob patterns (dotfiles match;
# symlinks are kept as symlinks, not followed). Absent `src` means the whole project less
# nixkit's own files and VCS data.
{ lib, root }:
let
  inherit (builtins) any filter map match stringLength substring;
  glob = import ./glob.nix { inherit lib; };
  rootPrefix = toString root + "/";
  relative = path: lib.removePrefix rootPrefix (toString path);
  matchesAny = regexes: rel: any (r: match r rel != null) regexes;

  # Never part of a source: VCS data, nixkit's state, `nix build` out-links.
  alwaysExcluded = map glob.toRegex [ ".git" ".hg" ".svn" ".direnv" ".nixkit" "result" "result-*" ];
  # Files that hold credentials (an npm token, a PyPI password, .env secrets): left out of every
  # source, since the store is world-readable, unless an include pattern names the file itself.
  credentialFiles = map glob.toRegex [ "**/.npmrc" "**/.pypirc" "**/.netrc" "**/.env" "**/.env.*" ];
  # Also left out when `src` is absent, so editing the manifest does not rebuild everything.
  generatedFiles = map glob.toRegex [ "flake.nix" "flake.lock" "nixkit.yaml" ];

  filterWith = src: extra:
    let
      isNegated = p: substring 0 1 p == "!";
      positive = filter (p: !isNegated p) src.include ++ extra.include;
      negated = map (p: substring 1 (stringLength p) p) (filter isNegated src.include);
      includes = map glob.toRegex positive;
      excludes = alwaysExcluded ++ map glob.toRegex (src.exclude ++ negated ++ extra.exclude);
      reachable = map glob.mayContain positive;
    in path: type:
      let rel = relative path; in
      !(matchesAny excludes rel)
      && (if type == "directory" then any (mayContain: mayContain rel) reachable
          else matchesAny includes rel && !(matchesAny credentialFiles rel && !(builtins.elem rel (map (lib.removePrefix "./") positive))));

  withoutDefaults = extra: path: _type: !(matchesAny (alwaysExcluded ++ generatedFiles ++ credentialFiles ++ map glob.toRegex extra.exclude) (relative path));
in {
  # `extra`: patterns kept or left out whatever `src` says (a Node project's workspace members,
  # and its node_modules).
  filter = src: extra: builtins.path {
    path = root;
    name = "source";
    filter = if src == null then withoutDefaults extra else filterWith src extra;
  };
}
