# Node dependencies from a yarn 4 (berry) yarn.lock. nixkit reads the lockfile
# (src/node/yarn-berry-lockfile.ts) into one line per package yarn's cache holds, written into
# flake.nix. yarn's checksum is of the zip archive it makes of a package, not of the tarball, so
# each package is a fixed-output derivation that downloads the tarball and makes that archive
# (yarn-zip.cjs, byte for byte as yarn 4 does), checked by Nix against the lockfile's checksum: a
# bump fetches that package alone and nothing needs a hash of the whole set (nixpkgs' berry
# fetcher keeps one, plus a hand-made list of the checksums yarn did not record). A platform
# package yarn did not record a checksum for is fetched by the registry's integrity and made into
# an archive here. The real yarn (packageManager's version, from npm's registry) then installs
# from that cache with --immutable and no network, applying patches and workspace links itself.
{ pkgs, lib, root, system, registry, locks, shared }:
let
  inherit (builtins) concatStringsSep dirOf elem filter map replaceStrings;
  inherit (shared) installInPlace pruneToInstall quickFixup explainFailure placeFiles readPackageLine installSource installResult patchTrees registryPath;
  # .yarnrc.yml's registry for the package's scope, else its npmRegistryServer, else npm's setting.
  urlOf = lock: p:
    let
      scoped = lock.registries.${builtins.head (lib.splitString "/" p.name)} or null;
      server = if scoped != null then scoped else if lock.registry != null then lock.registry else registry;
    in
    if lib.hasPrefix "http://" p.source || lib.hasPrefix "https://" p.source then p.source
    else if server == null then throw "yarn's packages need npm's registry setting; run `nixkit generate`"
    else "${server}/${registryPath p.name p.source}";
  storeName = p: replaceStrings [ "@" ] [ "" ] p.file;
  converter = ./yarn-zip.cjs;
  archive = lock: p:
    if lib.hasPrefix "zip:" p.hash then
      derivation {
        name = storeName p;
        inherit system;
        builder = "${pkgs.nodejs}/bin/node";
        args = [ converter (urlOf lock p) p.name ];
        # For nixkit's fetch ahead (src/node/prefetch.ts), which makes the same archive outside the sandbox.
        url = urlOf lock p;
        archive = p.name;
        outputHashMode = "flat";
        outputHashAlgo = "sha512";
        outputHash = lib.removePrefix "zip:" p.hash;
        impureEnvVars = [ "http_proxy" "https_proxy" "HTTP_PROXY" "HTTPS_PROXY" "no_proxy" "NO_PROXY" "NIX_SSL_CERT_FILE" ];
        preferLocalBuild = true;
      }
    else
      derivation {
        name = storeName p;
        inherit system;
        builder = "${pkgs.nodejs}/bin/node";
        args = [ converter "--file" (tarball lock p) p.name ];
      };
  tarball = lock: p: import <nix/fetchurl.nix> { url = urlOf lock p; inherit (p) hash; name = "${lib.removeSuffix ".zip" (storeName p)}.tgz"; };

  tool = import ./node-tool.nix { inherit pkgs lib registry; };

  project = { lockfile, scripts, omit }:
    let
      dir = dirOf lockfile;
      yarnRoot = if dir == "." then root else root + "/${dir}";
      lock = locks.${lockfile} or (throw "${lockfile} was not read by nixkit; run `nixkit generate`");
      pnp = lock.linker == "pnp";
      packages = filter (p: p.installsHere) (map (readPackageLine [ "file" "name" "source" "hash" ]) lock.packages);
      archives = map (p: { inherit (p) file; zip = archive lock p; }) packages;
      yarn = tool ({
        name = "yarn";
        package = "@yarnpkg/cli-dist";
        inherit (lock.yarn) version hash;
        bins = { yarn = "bin/yarn.js"; yarnpkg = "bin/yarn.js"; };
        # yarn runs a script's bins through wrappers it writes with #!/bin/sh, which a sandbox
        # without sandbox-paths (Debian's nix) does not have: they get the store's sh.
        fixup = ''
          node -e '
            const fs = require("fs");
            const [file, sh] = process.argv.slice(1);
            fs.writeFileSync(file, fs.readFileSync(file, "utf8").split("`#!/bin/sh\n").join("`#!" + sh + "\n"));
          ' "$out/lib/yarn/bin/yarn.js" "$(command -v sh)"
        '';
      } // lib.optionalAttrs (lock.yarn ? scriptHash) { inherit (lock.yarn) scriptHash; });
      # What the install reads of the project: the lockfile, yarn's settings, each member's
      # package.json, and the patches, plugins and local packages the lockfile names.
      wanted = [ "yarn.lock" "package.json" ".yarnrc.yml" ] ++ map (member: "${member}/package.json") lock.members ++ lock.localPaths;
      install = pkgs.stdenv.mkDerivation (quickFixup // {
        name = "${if dir == "." then "" else "${replaceStrings [ "/" ] [ "-" ] dir}-"}yarn-node-modules";
        src = installSource { path = yarnRoot; name = "yarn-project"; files = wanted; dirs = lock.localPaths; };
        nativeBuildInputs = [ pkgs.nodejs yarn ];
        cacheList = concatStringsSep "\n" (map (a: "${a.file} ${a.zip}") archives) + "\n";
        passAsFile = [ "cacheList" ];
        dontConfigure = true;
        buildPhase = ''
          runHook preBuild
          ${lib.optionalString (!pnp) installInPlace}
          ${patchTrees}
          export HOME="$TMPDIR"
          # Plug'n'Play finds packages by their path relative to .pnp.cjs and by their real path:
          # its cache and unplugged packages are real files in $out (not links to the fetched
          # archives), and the link step rewrites the relative paths for where the project is.
          cache=${if pnp then ''"$out/cache"'' else ''"$TMPDIR/yarn-cache"''}
          mkdir -p "$cache"
          ${placeFiles}
          nixkitPlaceFiles "$cacheListPath" "$cache" ${if pnp then "copy" else ""}
          ${lib.optionalString pnp ''
            export YARN_PNP_UNPLUGGED_FOLDER="$out/unplugged"
            # How far below / the project is here: the link step's rewrite starts from it.
            echo "$PWD" | tr -cd / | wc -c > "$TMPDIR/depth"
          ''}
          # yarn refuses a .yarnrc.yml whose ''${VAR} is unset (a registry token, which the sandbox
          # has not and needs not: it has no network): each gets an empty fallback here.
          if [ -f .yarnrc.yml ]; then sed -i -E 's/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/''${\1:-}/g' .yarnrc.yml; fi
          # The cache made above and nothing else: no network, no global cache, no other yarn
          # (yarnPath), the lockfile as it is.
          export YARN_CACHE_FOLDER="$cache" YARN_ENABLE_GLOBAL_CACHE=false YARN_ENABLE_NETWORK=false \
            YARN_ENABLE_TELEMETRY=false YARN_IGNORE_PATH=1 YARN_ENABLE_IMMUTABLE_INSTALLS=true \
            YARN_ENABLE_PROGRESS_BARS=false YARN_ENABLE_COLORS=false YARN_ENABLE_HYPERLINKS=false YARN_ENABLE_INLINE_BUILDS=true
          ${lib.optionalString (!scripts) "export YARN_ENABLE_SCRIPTS=false"}
          nixkitYarn() { "$@" 2>&1 | tee -a "$TMPDIR/yarn-log"; }
          nixkitInstall() {
            # As nixpkgs' yarnBerryConfigHook: lay out without builds, point shebangs at the store
            # (the sandbox has no /usr/bin/env), then let yarn run the builds.
            nixkitYarn yarn install --mode=skip-build || return 1
            nixkitPatchTrees
            ${if elem "dev" omit then ''
              # Without dev dependencies: `workspaces focus` removes them, and always runs the
              # builds (it has no --mode); for scripts: false, the workspaces' own install
              # scripts are hidden from it (enableScripts=false stops only the dependencies').
              ${lib.optionalString (!scripts) "nixkitWorkspaceScripts hide ${concatStringsSep " " (map lib.escapeShellArg lock.members)}"}
              nixkitYarn yarn workspaces focus --all --production || return 1
              ${lib.optionalString (!scripts) "nixkitWorkspaceScripts restore ${concatStringsSep " " (map lib.escapeShellArg lock.members)}"}
              nixkitPatchTrees
            '' else lib.optionalString scripts ''
              nixkitYarn yarn install || return 1
              nixkitPatchTrees
            ''}
            return 0
          }
          # nixkitWorkspaceScripts hide|restore MEMBER…: the install scripts of the root's and the
          # members' package.json set aside (and back).
          nixkitWorkspaceScripts() {
            node -e '
              const fs = require("fs");
              const [how, ...dirs] = process.argv.slice(1);
              for (const dir of [".", ...dirs]) {
                const file = dir + "/package.json", kept = file + ".nixkit-scripts";
                if (how === "restore") { fs.renameSync(kept, file); continue; }
                const manifest = JSON.parse(fs.readFileSync(file, "utf8"));
                fs.copyFileSync(file, kept);
                for (const event of ["preinstall", "install", "postinstall"]) delete manifest.scripts?.[event];
                fs.writeFileSync(file, JSON.stringify(manifest, null, 2));
              }' "$@"
          }
          if ! nixkitInstall; then
            ${explainFailure { log = "$TMPDIR/yarn-log"; otherwise = "${lockfile}: yarn install failed in the Nix sandbox (yarn's reason is above)"; reasons = [
              [ "YN0028|YN0080|lockfile would have been modified" "${lockfile}: out of date with package.json (yarn would change it, see above); run `yarn install` to update it, and commit it" ]
              [ "YN0009|YN0007|build failed|exit code" "${lockfile}: a dependency's build script failed in the Nix sandbox (see yarn's output above), which has no network outside Nix's own fetches; if the package works without its script, set scripts: false" ]
            ]; }}
          fi
          runHook postBuild
        '';
        installPhase = ''
          runHook preInstall
          ${if pnp then ''
            mkdir -p "$out/.yarn"
            for file in .pnp.cjs .pnp.loader.mjs .yarn/install-state.gz; do
              if [ -e "$file" ]; then cp "$file" "$out/$file"; fi
            done
            cp "$TMPDIR/depth" "$out/.yarn/nixkit-depth"
          '' else pruneToInstall (lock.members ++ lock.linked)}
          runHook postInstall
        '';
        passthru = { inherit dir; linker = lock.linker; };
      });
    in
    if elem "optional" omit then throw "${lockfile}: yarn 4 has no install without optional dependencies; remove \"optional\" from omit"
    else installResult {
      inherit dir install; inherit (lock) members;
      downloads = map (p: if lib.hasPrefix "zip:" p.hash then archive lock p else tarball lock p) packages;
      tools = [ yarn ];
    };
in { inherit project; }
