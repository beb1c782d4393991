# Node dependencies from a yarn 1 yarn.lock. nixkit reads the lockfile (src/node/yarn-lockfile.ts)
# into its downloads, written into flake.nix: every tarball is its own fixed-output fetch, by the
# URL the lockfile resolved it to and its integrity, so a bump fetches that package alone (nixpkgs'
# fetchYarnDeps keeps one hash of them all). In the sandbox they make yarn's offline mirror, and
# the real yarn (the version package.json's packageManager names, fetched from npm's registry)
# installs from it with `--frozen-lockfile --offline`, as nixpkgs' yarnConfigHook does.
{ pkgs, lib, root, registry, locks, shared }:
let
  inherit (builtins) concatStringsSep dirOf map replaceStrings;
  inherit (shared) installInPlace pruneToInstall quickFixup explainFailure placeFiles installSource installResult patchTrees;
  tool = import ./node-tool.nix { inherit pkgs lib registry; };
  project = { lockfile, scripts, omit }:
    let
      dir = dirOf lockfile;
      yarnRoot = if dir == "." then root else root + "/${dir}";
      lock = locks.${lockfile} or (throw "${lockfile} was not read by nixkit; run `nixkit generate`");
      tarballs = map (d: {
        inherit (d) file;
        fetched = import <nix/fetchurl.nix> { inherit (d) url hash; name = replaceStrings [ "@" ] [ "" ] d.file; };
      }) lock.downloads;
      yarn = tool {
        name = "yarn";
        inherit (lock.yarn) version hash;
        bins = { yarn = "bin/yarn.js"; yarnpkg = "bin/yarn.js"; };
        scriptShell = true;
        # yarn 1 puts `node` and `yarn` proxies before PATH for every script, written with
        # #!/bin/sh, which a sandbox without sandbox-paths (Debian's nix) does not have.
        fixup = ''
          cat > "$TMPDIR/proxy-shell.js" <<'EOF'
          const fs = require("fs");
          const [file, sh] = process.argv.slice(2);
          const text = fs.readFileSync(file, "utf8");
          fs.writeFileSync(file, text.split("#!/bin/sh\\n").join(`#!''${sh}\\n`));
          EOF
          node "$TMPDIR/proxy-shell.js" "$out/lib/yarn/lib/cli.js" "$(command -v sh)"
        '';
      };
      # What the install reads: the lockfile, yarn's settings, each member's package.json and the
      # file: and link: packages package.json files name (a link's package.json is kept as a member's).
      wanted = [ "yarn.lock" "package.json" ".yarnrc" ] ++ map (member: "${member}/package.json") lock.members ++ lock.localPaths;
      flags = concatStringsSep " " ([ "--frozen-lockfile" "--offline" "--ignore-scripts" "--no-progress" "--non-interactive" ]
        ++ lib.optional (builtins.elem "dev" omit) "--production"
        ++ lib.optional (builtins.elem "optional" omit) "--ignore-optional");
      install = pkgs.stdenv.mkDerivation (quickFixup // {
        name = "${if dir == "." then "" else "${replaceStrings [ "/" ] [ "-" ] dir}-"}yarn-node-modules";
        src = installSource { path = yarnRoot; name = "yarn-project"; files = wanted; dirs = lock.localPaths; };
        nativeBuildInputs = [ pkgs.nodejs yarn ];
        mirrorList = concatStringsSep "\n" (map (t: "${t.file} ${t.fetched}") tarballs) + "\n";
        passAsFile = [ "mirrorList" ];
        dontConfigure = true;
        buildPhase = ''
          runHook preBuild
          ${installInPlace}
          ${patchTrees}
          export HOME="$TMPDIR"
          ${placeFiles}
          mkdir -p "$TMPDIR/mirror"
          nixkitPlaceFiles "$mirrorListPath" "$TMPDIR/mirror"
          # The project's .yarnrc, with the mirror as the one place packages come from.
          echo "yarn-offline-mirror \"$TMPDIR/mirror\"" >> .yarnrc
          nixkitYarn() { "$@" 2>&1 | tee -a "$TMPDIR/yarn-log"; }
          nixkitInstall() {
            nixkitYarn yarn install ${flags} --cache-folder "$TMPDIR/yarn-cache" || return 1
            nixkitPatchTrees
            ${lib.optionalString scripts ''
              # yarn 1 has no rebuild: npm's runs the dependencies' install scripts in place.
              nixkitYarn npm rebuild --offline --no-progress --loglevel=warn || return 1
              nixkitPatchTrees
              for event in preinstall install postinstall prepare; do
                if node -e "process.exit(require('./package.json').scripts?.[process.argv[1]] ? 0 : 1)" "$event"; then
                  nixkitYarn yarn run --offline "$event" || return 1
                fi
              done
            ''}
            return 0
          }
          if ! nixkitInstall; then
            ${explainFailure { log = "$TMPDIR/yarn-log"; otherwise = "${lockfile}: yarn install failed in the Nix sandbox (yarn's reason is above)"; reasons = [
              [ "Your lockfile needs to be updated|Couldn't find any versions|can't make a request in offline mode" "${lockfile}: out of date with package.json (yarn wanted what it does not list, see above); run `yarn install` to update it, and commit it" ]
            ]; }}
          fi
          runHook postBuild
        '';
        installPhase = ''
          runHook preInstall
          # yarn's integrity file records the build's paths: not part of the install.
          find . -path '*/node_modules/.yarn-integrity' -exec rm -f {} +
          ${pruneToInstall (lock.members ++ lock.linked)}
          runHook postInstall
        '';
        passthru = { inherit dir; };
      });
    in
    # The tool's own tarball is left to Nix: it is needed only when the tool is not built yet.
    installResult { inherit dir install; inherit (lock) members; downloads = map (t: t.fetched) tarballs; tools = [ yarn ]; };
in { inherit project; }
