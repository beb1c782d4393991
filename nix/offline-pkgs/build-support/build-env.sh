# Merges $paths into $out as a symlink tree restricted to $pathsToLink.
# A directory owned by one package is linked whole; shared directories are recreated and
# merged entry by entry, as nixpkgs' buildenv/builder.pl does.

linkTree() {
    local target="$1" source="$2" rel="$3" entry name existing
    for entry in "$source"/* "$source"/.[!.]* "$source"/..?*; do
        [ -e "$entry" ] || [ -L "$entry" ] || continue
        name="${entry##*/}"
        existing="$target/$name"
        if [ -L "$existing" ] && [ -d "$existing" ] && [ -d "$entry" ]; then
            # A whole-directory link meets a second directory: expand it into a real one.
            local previous
            previous="$(readlink "$existing")"
            rm "$existing"
            mkdir "$existing"
            linkTree "$existing" "$previous" "$rel/$name"
            linkTree "$existing" "$entry" "$rel/$name"
        elif [ -d "$existing" ] && [ ! -L "$existing" ] && [ -d "$entry" ]; then
            linkTree "$existing" "$entry" "$rel/$name"
        elif [ -e "$existing" ] || [ -L "$existing" ]; then
            if [ "$(readlink -f "$existing")" = "$(readlink -f "$entry")" ]; then
                continue
            fi
            if [ -n "$ignoreCollisions" ]; then
                echo "buildEnv: collision at $rel/$name; keeping $(readlink "$existing")" >&2
                continue
            fi
            echo "buildEnv: collision between $(readlink "$existing") and $entry at $rel/$name" >&2
            return 1
        else
            ln -s "$entry" "$existing"
        fi
    done
}

mkdir -p "$out"
for pkg in $paths; do
    if [ -f "$pkg" ]; then
        echo "The store path $pkg is a file and can't be merged into an environment using pkgs.buildEnv!" >&2
        exit 1
    fi
    for linkPath in $pathsToLink; do
        linkPath="${linkPath%/}"
        [ -d "$pkg$linkPath" ] || continue
        mkdir -p "$out$linkPath"
        linkTree "$out$linkPath" "$pkg$linkPath" "$linkPath"
    done
done
