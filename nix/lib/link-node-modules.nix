# Links an installed node_modules tree (a store path made by node.nix) into a directory: every
# package is a symlink into the store, .cache is a real directory (tools write there), and a
# marker names the store path. A node_modules without the marker, or with entries that are not
# nixkit's links (npm install ran), is the user's: it is left alone, with a warning.
# (Bash, as a Nix string: node.nix puts it before the code that calls it.)
''
  # Links each entry of an installed node_modules (or of a @scope directory in it) into `dest`.
  # A workspace member or a file: package is a relative link: it points into the project. A
  # @scope directory holding one is made here, its entries linked one by one, so that the
  # relative link resolves from the project, not from the store.
  nixkitHasRelativeLink() {
      local entry
      for entry in "$1"/*; do
          if [ -L "$entry" ] && [ "$(readlink "$entry" | cut -c1)" != / ]; then return 0; fi
      done
      return 1
  }
  nixkitLinkEntries() {
      local from="$1" dest="$2" entry name
      for entry in "$from"/* "$from"/.[!.]*; do
          [ -e "$entry" ] || [ -L "$entry" ] || continue
          name="''${entry##*/}"
          if [ -L "$entry" ] && [ "$(readlink "$entry")" = "$name" ]; then continue; fi
          if [ -L "$entry" ] && [ "$(readlink "$entry" | cut -c1)" != / ]; then
              ln -sfn "$(readlink "$entry")" "$dest/$name"
          elif [ ! -L "$entry" ] && [ -d "$entry" ] && [ "''${name#@}" != "$name" ] && nixkitHasRelativeLink "$entry"; then
              rm -f "$dest/$name"
              mkdir -p "$dest/$name"
              nixkitLinkEntries "$entry" "$dest/$name"
          else
              ln -sfn "$entry" "$dest/$name"
          fi
      done
  }
  nixkitLinkNodeModules() {
      local store="$1" project="$2" tree dest entry
      for tree in $(cd "$store" && find . -type d -name node_modules -prune | sort); do
          dest="$project/''${tree#./}"
          if [ -e "$dest" ] || [ -L "$dest" ]; then
              if [ "$(cat "$dest/.nixkit-node-modules" 2>/dev/null)" = "$store" ]; then continue; fi
              # nixkit's own: links, .cache, the marker, and @scope directories of links only.
              if [ ! -f "$dest/.nixkit-node-modules" ] || [ -n "$(find "$dest" -mindepth 1 -maxdepth 1 ! -type l ! -name .cache ! -name .nixkit-node-modules ! -name '@*')" ] \
                  || [ -n "$(find "$dest" -mindepth 2 -maxdepth 2 -path "$dest/@*" ! -type l)" ]; then
                  echo "nixkit: ''${dest} was not made by nixkit (or npm changed it); leaving it as it is. Remove it to get the lockfile's dependencies from the Nix store." >&2
                  continue
              fi
              find "$dest" -mindepth 1 -maxdepth 1 -type l -exec rm -f {} +
              find "$dest" -mindepth 1 -maxdepth 1 -type d -name '@*' -exec rm -rf {} +
          fi
          mkdir -p "$dest/.cache"
          nixkitLinkEntries "$store/''${tree#./}" "$dest"
          echo "$store" > "$dest/.nixkit-node-modules"
      done
  }
  # yarn's Plug'n'Play install (yarn-berry.nix): .pnp.cjs and its loader are copied, with the
  # relative paths yarn wrote from the install's directory to the store (../../nix/store/…, and
  # __virtual__/ID/DEPTH/nix/store/… for packages with peers) rewritten for the project's depth;
  # the install state copied; .yarn/.nixkit-pnp names the store path. A .pnp.cjs or install state
  # without that marker is the user's own install (yarn install ran): left alone.
  nixkitLinkPnp() {
      local store="$1" project="$2" file from to up
      if [ "$(cat "$project/.yarn/.nixkit-pnp" 2>/dev/null)" = "$store" ]; then return 0; fi
      if [ ! -f "$project/.yarn/.nixkit-pnp" ] && { [ -e "$project/.pnp.cjs" ] || [ -e "$project/.yarn/install-state.gz" ]; }; then
          echo "nixkit: ''${project}/.pnp.cjs was not made by nixkit (yarn install ran); leaving it as it is. Remove it and .yarn/install-state.gz to get the lockfile's dependencies from the Nix store." >&2
          return 0
      fi
      from="$(cat "$store/.yarn/nixkit-depth")"
      to="$(cd "$project" && pwd -P | tr -cd / | wc -c)"
      up="$(printf '../%.0s' $(seq "$to"))"
      mkdir -p "$project/.yarn"
      for file in .pnp.cjs .pnp.loader.mjs .yarn/install-state.gz; do
          rm -f "$project/$file"
          [ -e "$store/$file" ] || continue
          if [ "$file" = .yarn/install-state.gz ]; then cp "$store/$file" "$project/$file"; else
              sed -e "s|\"$(printf '../%.0s' $(seq "$from"))nix/store/|\"''${up}nix/store/|g" \
                  -e "s|/__virtual__/\([^/\"]*\)/$((from + 1))/nix/store/|/__virtual__/\1/$((to + 1))/nix/store/|g" \
                  "$store/$file" > "$project/$file"
          fi
          chmod u+w "$project/$file"
      done
      echo "$store" > "$project/.yarn/.nixkit-pnp"
  }
''
