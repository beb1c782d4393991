# Links an installed node_modules tree (a store path made by node.nix) into a directory: every
# package is a symlink into the store, .cache is a real directory (tools write there), and a
# marker names the store path. A node_modules without the marker, or with entries that are not
# nixkit's links (npm install ran), is the user's: it is left alone, with a warning.
# (Bash, as a Nix string: node.nix puts it before the code that calls it.)
''
  nixkitLinkNodeModules() {
      local store="$1" project="$2" tree dest entry
      for tree in $(cd "$store" && find . -type d -name node_modules -prune | sort); do
          dest="$project/''${tree#./}"
          if [ -e "$dest" ] || [ -L "$dest" ]; then
              if [ "$(cat "$dest/.nixkit-node-modules" 2>/dev/null)" = "$store" ]; then continue; fi
              if [ ! -f "$dest/.nixkit-node-modules" ] || [ -n "$(find "$dest" -mindepth 1 -maxdepth 1 ! -type l ! -name .cache ! -name .nixkit-node-modules)" ]; then
                  echo "nixkit: ''${dest} was not made by nixkit (or npm changed it); leaving it as it is. Remove it to get the lockfile's dependencies from the Nix store." >&2
                  continue
              fi
              find "$dest" -mindepth 1 -maxdepth 1 -type l -exec rm -f {} +
          fi
          mkdir -p "$dest/.cache"
          for entry in "$store/''${tree#./}"/* "$store/''${tree#./}"/.[!.]*; do
              [ -e "$entry" ] || [ -L "$entry" ] || continue
              if [ -L "$entry" ] && [ "$(readlink "$entry")" = "''${entry##*/}" ]; then continue; fi
              # A workspace member or a file: package is a relative link: it points into the project.
              if [ -L "$entry" ] && [ "$(readlink "$entry" | cut -c1)" != / ]; then
                  ln -sfn "$(readlink "$entry")" "$dest/''${entry##*/}"
              else
                  ln -sfn "$entry" "$dest/''${entry##*/}"
              fi
          done
          echo "$store" > "$dest/.nixkit-node-modules"
      done
  }
''
