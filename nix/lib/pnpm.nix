# Node dependencies from pnpm-lock.yaml. nixkit reads the lockfile (src/node/pnpm-lockfile.ts)
# into one line per registry package, written into flake.nix: every package is its own
# fixed-output fetch keyed by the lockfile's integrity, so a bump fetches that package alone and
# nothing needs a hash of the whole dependency set (nixpkgs' pnpm.fetchDeps does). The real pnpm,
# the version package.json's packageManager names (fetched the same way), installs them in the
# sandbox with --frozen-lockfile from a registry served on the build's own loopback
# (local-registry.nix): pnpm lays out node_modules, applies patches, catalogs and workspace links
# and runs lifecycle scripts by its own rules, and checks every tarball against the lockfile.
# pnpm 10 refuses a lockfile whose registry packages were rewritten to local tarballs, which is
# how the npm install works (node.nix).
{ pkgs, lib, root, registry, locks, shared }:
let
  inherit (builtins) concatStringsSep dirOf elem filter head map replaceStrings;
  inherit (shared) installInPlace pruneToInstall quickFixup explainFailure placeFiles readPackageLine installSource installResult patchTrees registryPath storeName;
  # A scoped package comes from its scope's registry when npm's configuration sets one (@corp:registry=…).
  fetch = registries: name: version: hash: import <nix/fetchurl.nix> {
    url =
      let scoped = registries.${head (lib.splitString "/" name)} or null; in
      if scoped != null then "${scoped}/${registryPath name version}"
      else if registry == null then throw "pnpm's packages need npm's registry setting; run `nixkit generate`"
      else "${registry}/${registryPath name version}";
    inherit hash;
    name = storeName name version;
  };

  tool = import ./node-tool.nix { inherit pkgs lib registry; };

  project = { lockfile, scripts, omit }:
    let
      dir = dirOf lockfile;
      pnpmRoot = if dir == "." then root else root + "/${dir}";
      lock = locks.${lockfile} or (throw "${lockfile} was not read by nixkit; run `nixkit generate`");
      packages = filter (p: p.installsHere) (map (readPackageLine [ "name" "version" "hash" ]) lock.packages);
      tarballs = map (p: { path = registryPath p.name p.version; file = fetch lock.registries p.name p.version p.hash; }) packages;
      pnpm = tool { name = "pnpm"; inherit (lock.pnpm) version hash; bins = { pnpm = "bin/pnpm.cjs"; pnpx = "bin/pnpx.cjs"; }; };
      # What the install reads of the project: the lockfile, the workspace's settings and each
      # importer's package.json, pnpm's hooks, and the patches and file: packages the lockfile names.
      # (link: dependencies are links pnpm makes to a directory: its package.json is read and kept, as a member's.)
      kept = lock.members ++ lock.linked;
      wanted = [ "pnpm-lock.yaml" "pnpm-workspace.yaml" ".pnpmfile.cjs" "package.json" ]
        ++ map (member: "${member}/package.json") kept ++ lock.localPaths;
      flags = concatStringsSep " " ([ "--frozen-lockfile" "--ignore-scripts" ]
        ++ lib.optional (elem "dev" omit) "--prod"
        ++ lib.optional (elem "optional" omit) "--no-optional");
      install = pkgs.stdenv.mkDerivation (quickFixup // {
        name = "${if dir == "." then "" else "${replaceStrings [ "/" ] [ "-" ] dir}-"}pnpm-node-modules";
        src = installSource { path = pnpmRoot; name = "pnpm-project"; files = wanted; dirs = lock.localPaths; };
        nativeBuildInputs = [ pkgs.nodejs pnpm ];
        tarballList = concatStringsSep "\n" (map (t: "${t.path} ${t.file}") tarballs) + "\n";
        registryServer = import ./local-registry.nix;
        npmrc = concatStringsSep "\n" (lib.mapAttrsToList (key: value: "${key}=${value}") (lock.settings or { })) + "\n";
        passAsFile = [ "tarballList" "registryServer" "npmrc" ];
        dontConfigure = true;
        buildPhase = ''
          runHook preBuild
          # In place, with pnpm's store beside the install (removed after): pnpm hardlinks its files.
          ${installInPlace}
          ${patchTrees}
          export HOME="$TMPDIR" npm_config_update_notifier=false
          # The project's .npmrc settings that change the install (nixkit keeps them, never its auth lines).
          cp "$npmrcPath" .npmrc
          registryRoot="$TMPDIR/registry"
          ${placeFiles}
          mkdir -p "$registryRoot"
          nixkitPlaceFiles "$tarballListPath" "$registryRoot"
          node "$registryServerPath" "$registryRoot" "$TMPDIR/registry-port" 2> "$TMPDIR/registry-log" &
          registryPid=$!
          for _ in {1..200}; do [ -s "$TMPDIR/registry-port" ] && break; sleep 0.05; done
          registryUrl="http://127.0.0.1:$(cat "$TMPDIR/registry-port")/"
          nixkitPnpm() { "$@" 2>&1 | tee -a "$TMPDIR/pnpm-log"; }
          # pnpm reads npm_config_* as its settings: the local registry, a store of its own, no
          # self-switching to another version and no update check (the sandbox has no network).
          export npm_config_registry="$registryUrl" npm_config_store_dir="$out/.nixkit-pnpm-store" \
            npm_config_manage_package_manager_versions=false npm_config_extend_node_path=false
          nixkitInstall() {
            nixkitPnpm pnpm install ${flags} --reporter=append-only || return 1
            # As the npm install: the sandbox has no /usr/bin/env, so shebangs point at the store first.
            nixkitPatchTrees
            ${lib.optionalString scripts ''
              nixkitPnpm pnpm rebuild ${lib.optionalString (lock.members != [ ]) "--recursive"} --reporter=append-only || return 1
              nixkitPatchTrees
            ''}
            return 0
          }
          if ! nixkitInstall; then
            cat "$TMPDIR/registry-log" >&2
            ${explainFailure { log = "$TMPDIR/pnpm-log"; otherwise = "${lockfile}: pnpm install failed in the Nix sandbox (pnpm's reason is above)"; reasons = [
              [ "ERR_PNPM_OUTDATED_LOCKFILE|ERR_PNPM_LOCKFILE_CONFIG_MISMATCH" "${lockfile}: out of date with package.json (pnpm says which above); run `pnpm install` to update it, and commit it" ]
              [ "ENOSPC" "${lockfile}: pnpm install failed: no space left on the device (see pnpm's output above); free space (nixkit gc --store) and run again" ]
              [ "ERR_PNPM_LIFECYCLE|ELIFECYCLE|command failed" "${lockfile}: a lifecycle script failed in the Nix sandbox (see pnpm's output above), which has no network outside Nix's own fetches; if the package works without its script, set scripts: false" ]
            ]; }}
          fi
          kill "$registryPid" 2> /dev/null || true
          runHook postBuild
        '';
        installPhase = ''
          runHook preInstall
          # pnpm's state files hold the build's paths and the time: not part of the install.
          rm -f node_modules/.modules.yaml node_modules/.pnpm-workspace-state*.json
          rm -rf .nixkit-pnpm-store
          ${pruneToInstall kept}
          runHook postInstall
        '';
        passthru = { inherit dir; };
      });
    in
    # The tool's own tarball is left to Nix: it is needed only when the tool is not built yet.
    installResult { inherit dir install; inherit (lock) members; downloads = map (t: t.file) tarballs; tools = [ pnpm ]; };
in { inherit project; }
