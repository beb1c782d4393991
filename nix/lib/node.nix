# Node dependencies from package-lock.json (lockfileVersion 2 or 3), fetched and installed the
# way nixpkgs' importNpmLock does: every package is its own fixed-output fetch keyed by the
# lockfile's integrity (so a changed dependency refetches only itself), and `npm ci --offline`
# installs them in the sandbox from a copy of the lockfile whose `resolved` fields name the
# fetched tarballs. One install per lockfile and options, shared by builds, tests and the shell.
# `registry` (from npm's configuration, written by nixkit generate) serves packages whose
# lockfile entry has no `resolved` URL (npm's omit-lockfile-registry-resolved).
# pnpm-lock.yaml goes to pnpm.nix, yarn.lock to yarn.nix (yarn 1) or yarn-berry.nix (yarn 4).
{ pkgs, lib, root, system, registry, settings ? { }, pnpmLocks ? { }, yarnLocks ? { } }:
let
  inherit (builtins) any attrNames concatStringsSep dirOf elem filter fromJSON head mapAttrs match readFile replaceStrings toJSON;
  # This system in npm's and pnpm's terms (libc: pnpm's, Linux only).
  platform = {
    x86_64-linux = { os = "linux"; cpu = "x64"; libc = "glibc"; };
    aarch64-linux = { os = "linux"; cpu = "arm64"; libc = "glibc"; };
    x86_64-darwin = { os = "darwin"; cpu = "x64"; libc = null; };
    aarch64-darwin = { os = "darwin"; cpu = "arm64"; libc = null; };
  }.${system} or { os = system; cpu = system; libc = null; };
  # npm's and pnpm's os, cpu and libc lists: names that may install it, or "!name" for those that may not.
  allows = list: value:
    let positive = filter (x: !(lib.hasPrefix "!" x)) list; in
    !(elem "!${value}" list) && (positive == [ ] || elem value positive);
  # npm ci decides libc itself (and older npm does not check it): every libc's package is fetched.
  installsHere = entry: allows (entry.os or [ ]) platform.os && allows (entry.cpu or [ ]) platform.cpu;
  isDependency = where: match "(.*/)?node_modules/.*" where != null;
  nameOf = where: entry: entry.name or (lib.last (lib.splitString "node_modules/" where));
  strongestHash = integrity:
    let
      tokens = filter (t: t != "") (lib.splitString " " (replaceStrings [ "\n" "\t" ] [ " " " " ] integrity));
      withPrefix = prefix: filter (lib.hasPrefix prefix) tokens;
      candidates = filter (list: list != [ ]) (map withPrefix [ "sha512-" "sha256-" "sha1-" ]);
      found = if candidates == [ ] then tokens else head candidates;
    in head (lib.splitString "?" (head found));
  # Shell code that makes $out the project an install runs in (a copy of its source): the tool
  # writes node_modules on the store's file system directly, instead of the trees being copied
  # there from the build directory at the end (a rename cannot cross the two; ≈ 0.5 s for pnpm's
  # 86 MB). pruneToInstall ends it.
  installInPlace = ''
    mkdir -p "$out"
    cp -a . "$out"
    cd "$out"
  '';
  # Shell code that leaves of an install made in place only the install: every node_modules tree,
  # and the directories of `members` (workspace members, link: targets) with their package.json, so
  # that links to them resolve inside the output too.
  pruneToInstall = members: ''
    node -e '
      const fs = require("fs"), path = require("path");
      const dirs = new Set(process.argv.slice(1).map((m) => path.normalize(m)));
      const kept = new Set([...dirs].map((m) => path.join(m, "package.json")));
      const prune = (dir) => {
        let empty = true;
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          const rel = path.join(dir, entry.name);
          if (entry.isDirectory() && (entry.name === "node_modules" || (!prune(rel) || dirs.has(rel)))) empty = false;
          else if (entry.isDirectory()) fs.rmdirSync(rel);
          else if (kept.has(rel)) empty = false;
          else fs.rmSync(rel);
        }
        return empty;
      };
      prune(".");' ${concatStringsSep " " (map lib.escapeShellArg members)}
  '';
  # Shell code defining nixkitPatchTrees: patchShebangs on every node_modules tree below `.`
  # (a workspace member has its own). A loop, as patchShebangs is a shell function.
  patchTrees = ''
    nixkitPatchTrees() {
      local tree
      for tree in $(find . -type d -name node_modules -prune); do patchShebangs "$tree"; done > /dev/null
    }
  '';
  # What an install of a lockfile gives the rest of the library (npm's, pnpm's, yarn's): the
  # install, the tools it puts on PATH, its members' directories (relative to the flake) and the
  # fixed-output downloads it is made from (nixkit fetches the missing ones ahead: per-system.nix).
  installResult = { dir, install, members, downloads, tools ? [ ] }: {
    inherit install tools downloads;
    members = map (member: if dir == "." then member else "${dir}/${member}") members;
  };
  # A package line of flake.nix (pnpm's, yarn 4's, written by nixkit generate): its leading words
  # named by `fields`, then "os=A,B", "cpu=…", "libc=…" words; `installsHere`: this system takes it.
  readPackageLine = fields: line:
    let
      words = lib.splitString " " line;
      listed = field:
        let found = filter (lib.hasPrefix "${field}=") words; in
        if found == [ ] then [ ] else lib.splitString "," (lib.removePrefix "${field}=" (head found));
      os = listed "os";
      cpu = listed "cpu";
      libc = listed "libc";
    in builtins.listToAttrs (builtins.genList (i: { name = builtins.elemAt fields i; value = builtins.elemAt words i; }) (builtins.length fields))
      // { installsHere = allows os platform.os && allows cpu platform.cpu && (platform.libc == null || allows libc platform.libc); };
  # Shell code defining nixkitPlaceFiles LIST DIR [copy]: for each "RELATIVE-PATH STORE-PATH" line
  # of LIST, DIR/RELATIVE-PATH made a symlink to STORE-PATH (or a copy of it), parents included.
  # One node process: a shell loop forks ln and mkdir per file (≈ 1.5 s for 300 packages).
  placeFiles = ''
    nixkitPlaceFiles() {
      node -e '
        const fs = require("fs"), path = require("path");
        const [list, dir, how] = process.argv.slice(1);
        for (const line of fs.readFileSync(list, "utf8").split("\n")) {
          const [rel, target] = line.split(" ");
          if (!rel) continue;
          const file = path.join(dir, rel);
          fs.mkdirSync(path.dirname(file), { recursive: true });
          if (how === "copy") fs.copyFileSync(target, file);
          else fs.symlinkSync(target, file);
        }' "$@"
    }
  '';
  # What pnpm's and yarn's installs leave out of stdenv's fixup (which still strips and patchelfs
  # native addons): they patch shebangs themselves, and nixpkgs' check for broken symlinks forks
  # readlink per link (≈ 1 s for pnpm's 640 links), so it is done here in one node process, with
  # the same verdicts: a link to nothing, or to itself, fails.
  quickFixup = {
    dontPatchShebangs = true;
    dontCheckForBrokenSymlinks = true;
    postInstall = ''
      node -e '
        const fs = require("fs"), path = require("path");
        let broken = 0;
        const walk = (dir) => {
          for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const file = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(file);
            else if (entry.isSymbolicLink()) {
              const target = fs.readlinkSync(file);
              if (target === file || target === entry.name) console.error(`noBrokenSymlinks: the symlink ''${file} is reflexive`), broken++;
              else if (!fs.existsSync(file)) console.error(`noBrokenSymlinks: the symlink ''${file} points to a missing target ''${target}`), broken++;
            }
          }
        };
        if (fs.existsSync(process.argv[1])) walk(process.argv[1]);
        if (broken) process.exit(1);' "$out"
    '';
  };
  # Shell code that explains an install's failure by what the tool said into `log`: the message of
  # the first of `reasons` ([ ERE message ]) whose pattern the log matches, else `otherwise`; exit 1.
  explainFailure = { log, reasons, otherwise }: ''
    if false; then :
    ${concatStringsSep "\n" (map (reason:
      "elif grep -qE ${lib.escapeShellArg (builtins.elemAt reason 0)} \"${log}\"; then echo ${lib.escapeShellArg (builtins.elemAt reason 1)} >&2") reasons)}
    else
      echo ${lib.escapeShellArg otherwise} >&2
    fi
    exit 1
  '';
  storeName = name: version: "${replaceStrings [ "@" "/" ] [ "" "-" ] name}-${version}.tgz";
  # Where a registry serves a package's tarball: NAME/-/BASE-VERSION.tgz.
  registryPath = name: version: "${name}/-/${lib.last (lib.splitString "/" name)}-${version}.tgz";
  # The part of a project an install reads: `files` (relative to `path`), the directories that
  # lead to them, and everything below `dirs`.
  installSource = { path, name, files, dirs ? [ ] }:
    let prefix = toString path + "/"; in
    builtins.path {
      inherit path name;
      filter = file: type:
        let rel = lib.removePrefix prefix (toString file); in
        elem rel files
        || (type == "directory" && any (f: lib.hasPrefix "${rel}/" f) files)
        || any (dir: lib.hasPrefix "${dir}/" rel) dirs;
    };

  fetchPackage = lockfile: where: entry:
    let
      name = nameOf where entry;
      url = entry.resolved or (
        if registry == null then throw "${lockfile}: ${name} has no \"resolved\" URL; run `nixkit generate` to read npm's registry setting"
        else "${registry}/${registryPath name entry.version}");
    in import <nix/fetchurl.nix> {
      inherit url;
      # npm may list several hashes: the strongest one Nix checks (nixkit refused the rest).
      hash = strongestHash entry.integrity;
      name = storeName name entry.version;
    };

  # Workspace members and file: packages: directories of the npm project, not of node_modules.
  membersOf = lock: filter (where: where != "" && !(isDependency where)) (attrNames lock.packages);

  # What npm ci installs here: not links, bundled copies, omitted kinds or other platforms' packages.
  installed = omit: where: entry:
    where != "" && isDependency where && !(entry.link or false) && !(entry.inBundle or false)
    && !(any (kind: entry.${kind} or false) omit) && installsHere entry;
  isLocalTarball = entry: lib.hasPrefix "file:" (entry.resolved or "");

  # One npm project (a lockfile and its options), read once: its install, the directories of its
  # members (relative to the flake) and, for nixkit, the downloads the install needs.
  project = { lockfile, scripts, omit }:
    let
      dir = dirOf lockfile;
      npmRoot = if dir == "." then root else root + "/${dir}";
      lock = fromJSON (readFile (root + "/${lockfile}"));
      tarballs = mapAttrs (fetchPackage lockfile)
        (lib.filterAttrs (where: entry: installed omit where entry && !(isLocalTarball entry)) lock.packages);
      rewrite = where: entry:
        if tarballs ? ${where} then entry // { resolved = "file:${tarballs.${where}}"; }
        else if installed omit where entry && isLocalTarball entry then entry // { resolved = "file:${npmRoot + "/${lib.removePrefix "file:" entry.resolved}"}"; }
        else entry;
      installable = lock // { packages = mapAttrs rewrite lock.packages; };
      # What npm ci would run: the dependencies' scripts (npm marks them hasInstallScript) and the
      # project's own install and prepare scripts, in npm ci's order.
      dependencyScripts = any (entry: entry.hasInstallScript or false) (builtins.attrValues lock.packages);
      ownScripts = (fromJSON (readFile (npmRoot + "/package.json"))).scripts or { };
      projectScripts = filter (event: ownScripts ? ${event}) [ "preinstall" "install" "postinstall" "preprepare" "prepare" "postprepare" ];
      # Their package.json is all npm ci needs of the members here.
      members = membersOf lock;
      install = pkgs.stdenv.mkDerivation {
        name = "${replaceStrings [ "@" "/" ] [ "" "-" ] (lock.name or "npm-project")}-node-modules";
        src = installSource { path = npmRoot; name = "npm-project"; files = [ "package.json" ] ++ map (m: "${m}/package.json") members; };
        nativeBuildInputs = [ pkgs.nodejs ];
        lockJSON = toJSON installable;
        passAsFile = [ "lockJSON" ];
        dontConfigure = true;
        buildPhase = ''
          runHook preBuild
          ${installInPlace}
          cp "$lockJSONPath" package-lock.json
          export HOME="$TMPDIR" npm_config_cache="$TMPDIR/npm-cache" npm_config_update_notifier=false
          # The project .npmrc's install settings (legacy-peer-deps…), as the lockfile was made with them.
          ${concatStringsSep "\n" (lib.mapAttrsToList (key: value: "export npm_config_${replaceStrings [ "-" ] [ "_" ] key}=${lib.escapeShellArg value}") (settings.${lockfile} or { }))}
          # As nixpkgs' npmConfigHook: install without scripts, point the installed files' shebangs
          # (#!/usr/bin/env node, #!/bin/bash) at the store, since the sandbox has neither, then run
          # the dependencies' lifecycle scripts (npm rebuild) and the project's own, in npm ci's order.
          # npm's output is kept (and shown as it comes) so that a failure is told by what npm said;
          # stdenv's pipefail makes each pipeline fail when npm does.
          nixkitNpm() { "$@" 2>&1 | tee -a "$TMPDIR/npm-log"; }
          nixkitInstall() {
            nixkitNpm npm ci --offline --no-audit --no-fund --no-progress --loglevel=warn --ignore-scripts ${concatStringsSep " " (map (kind: "--omit=${kind}") omit)} || return 1
            # (a project without dependencies has no node_modules)
            if [ -d node_modules ]; then patchShebangs node_modules > /dev/null; fi
            ${lib.optionalString (scripts && dependencyScripts) ''
              nixkitNpm npm rebuild --offline --no-progress --loglevel=warn || return 1
              patchShebangs node_modules > /dev/null
            ''}
            ${lib.optionalString scripts (concatStringsSep "\n" (map (event: "nixkitNpm npm run --offline --ignore-scripts --loglevel=warn ${event} || return 1") projectScripts))}
            return 0
          }
          if ! nixkitInstall; then
            ${explainFailure { log = "$TMPDIR/npm-log"; otherwise = "${lockfile}: npm ci failed in the Nix sandbox (npm's reason is above)"; reasons = [
              [ "EMFILE|ENFILE" "${lockfile}: npm ci failed: too many open files (EMFILE, see npm's output above); raise the open-file limit of the Nix builds (ulimit -n, or LimitNOFILE of the nix-daemon service) and run again" ]
              [ "ENOSPC" "${lockfile}: npm ci failed: no space left on the device (see npm's output above); free space (nixkit gc --store) and run again" ]
              [ "cannot execute: required file not found|bad interpreter" "${lockfile}: an install script ran a file whose #! interpreter does not exist in the sandbox (see npm's output above); nixkit points node_modules' shebangs at the store, so this is a file made executable by the script itself: run patchShebangs on it first" ]
              [ "ENOTCACHED" "${lockfile}: npm wanted registry data the sandbox cannot fetch (ENOTCACHED, see npm's output above): npm ci re-resolved the tree, which happens when the lockfile was made with settings npm ci does not see here (a peer-dependency conflict made with legacy-peer-deps); put them in the npm project's .npmrc (legacy-peer-deps=true), which nixkit carries into the install, or run npm install to make a lockfile npm ci accepts as it is" ]
              [ "ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ENETUNREACH|ETIMEDOUT|getaddrinfo" "${lockfile}: npm reached for the network in the Nix sandbox, which has none outside Nix's own fetches (see npm's output above)${if scripts then "; if a dependency's install script downloads something and the package works without it, set scripts: false" else ""}" ]
              [ "command failed" "${lockfile}: a lifecycle script failed in the Nix sandbox (see npm's output above), which has no network outside Nix's own fetches; if the package works without its script, set scripts: false" ]
            ]; }}
          fi
          runHook postBuild
        '';
        installPhase = ''
          runHook preInstall
          ${pruneToInstall members}
          # npm's hidden lockfile names the fetched tarballs: without it, they are not part of the
          # install's closure (a cache push or an image would carry every tarball twice).
          find "$out" -path '*/node_modules/.package-lock.json' -exec rm -f {} +
          runHook postInstall
        '';
        passthru = { inherit dir; };
      };
    in installResult { inherit dir install members; downloads = builtins.attrValues tarballs; };
  # What pnpm.nix and yarn.nix take from here.
  shared = { inherit installInPlace pruneToInstall quickFixup explainFailure placeFiles readPackageLine installSource installResult patchTrees registryPath storeName; };
  pnpm = import ./pnpm.nix { inherit pkgs lib root registry shared; locks = pnpmLocks; };
  yarn = import ./yarn.nix { inherit pkgs lib root registry shared; locks = yarnLocks; };
  yarnBerry = import ./yarn-berry.nix { inherit pkgs lib root system registry shared; locks = yarnLocks; };
in {
  project = spec:
    if baseNameOf spec.lockfile == "pnpm-lock.yaml" then pnpm.project spec
    else if baseNameOf spec.lockfile == "yarn.lock" then (if (yarnLocks.${spec.lockfile} or { }) ? packages then yarnBerry.project else yarn.project) spec
    else project spec;
  # Shell code that links `modules` (an install) into the npm project under `projectDir`.
  link = modules: projectDir: ''
    ${import ./link-node-modules.nix}
    ${if modules.linker or "" == "pnp" then "nixkitLinkPnp" else "nixkitLinkNodeModules"} ${modules} "${projectDir}/${modules.dir}"
  '';
}
