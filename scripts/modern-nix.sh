#!/usr/bin/env bash
# A modern Nix for the tests: Debian 13's nix-bin (2.26.3) and the libraries it needs, unpacked
# into a private prefix with its interpreter and library path rewritten (patchelf), so it runs on
# Debian 12 too. It never touches the host's Nix: `run` starts a command in a private mount
# namespace where /nix is its own store and nix.conf its own (no build users: a store of its own
# must not share the host's).
#
#   scripts/modern-nix.sh install     prepare it (idempotent)
#   scripts/modern-nix.sh run CMD...  CMD with that Nix first on PATH, in its own /nix
set -euo pipefail
version=2.26.3
# Outside root's HOME: the daemon tier runs this Nix as an unprivileged user too.
dir="${NIXKIT_MODERN_NIX_DIR:-/var/cache/nixkit-dev/nix-$version}"
prefix="$dir/prefix"

install() {
    if [ -x "$prefix/usr/bin/nix" ] && "$prefix/usr/bin/nix" --version 2>/dev/null | grep -q " $version"; then return; fi
    command -v patchelf >/dev/null || { echo "modern-nix: patchelf is missing (apt-get install patchelf)" >&2; exit 3; }
    local apt="$dir/apt"
    rm -rf "$apt" "$prefix"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources" "$apt/debs" "$prefix"
    # Debian 13's packages from the mirror this machine's apt already uses.
    local uri
    uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    [ -n "$uri" ] || uri=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list)
    printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" > "$apt/sources/trixie.sources"
    touch "$apt/status"
    local opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt/sources" -o "Dir::State::Lists=$apt/lists"
        -o "Dir::Cache=$apt/cache" -o "Dir::State::status=$apt/status" -o APT::Sandbox::User=root)
    apt-get "${opts[@]}" -qq update
    # nix-bin and every library in its dependency closure (perl and tools are not needed).
    local packages
    packages=$(apt-cache "${opts[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
        --no-replaces --no-enhances --no-pre-depends nix-bin | grep -E '^(lib|zlib)' | grep -v -E 'perl|-dev$|-bin$' | sort -u)
    (cd "$apt/debs" && apt-get "${opts[@]}" -qq download nix-bin $packages)
    for deb in "$apt/debs"/*.deb; do dpkg -x "$deb" "$prefix"; done
    patchelf --set-interpreter "$prefix/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" \
        --force-rpath --set-rpath "$prefix/usr/lib/x86_64-linux-gnu:$prefix/lib/x86_64-linux-gnu" "$prefix/usr/bin/nix"
    "$prefix/usr/bin/nix" --version | grep -q " $version"
    rm -rf "$apt"
}

run() {
    install
    mkdir -p "$dir/root/nix" "$dir/conf"
    printf 'build-users-group =\nsandbox = true\nexperimental-features = nix-command flakes\nsubstituters =\n' > "$dir/conf/nix.conf"
    exec unshare --mount -- sh -c 'set -e; mount --make-rprivate /; mount --bind "$0/root/nix" /nix; exec "$@"' "$dir" \
        env PATH="$prefix/usr/bin:$PATH" NIX_CONF_DIR="$dir/conf" "$@"
}

case "${1:-}" in
    install) install ;;
    run) shift; run "$@" ;;
    *) echo "usage: $0 install | run CMD..." >&2; exit 2 ;;
esac
