#!/usr/bin/env bash
# A multi-user Nix for the tests: a nix-daemon (the `nix` on PATH) on a store of its own (a
# private mount namespace with its own /nix), and CMD run through it as the unprivileged user
# `nobody`, trusted by the daemon or not.
#
#   scripts/daemon-nix.sh DIR trusted|untrusted CMD...
#
# DIR keeps the store (DIR/nix), the system nix.conf (DIR/conf, read by the daemon and the
# client alike, as /etc/nix is) and nobody's HOME (DIR/home) between runs.
set -euo pipefail
dir="$1" trust="$2"
shift 2
mkdir -p "$dir/nix" "$dir/conf" "$dir/home"
chown nobody:nogroup "$dir/home"
chmod 755 "$dir"
trusted=root
[ "$trust" = trusted ] && trusted="root nobody"
printf 'build-users-group =\nsandbox = true\nexperimental-features = nix-command flakes\nsubstituters =\ntrusted-users = %s\n' "$trusted" > "$dir/conf/nix.conf"
nix_bin="$(dirname "$(readlink -f "$(command -v nix)")")"
# nix-daemon is `nix` under another name: the same version as the client.
daemon="$nix_bin/nix-daemon"
[ -x "$daemon" ] || daemon="$(command -v nix-daemon)"
exec unshare --mount -- bash -c '
    set -e
    dir="$1" daemon="$2"; shift 2
    mount --make-rprivate /
    mount --bind "$dir/nix" /nix
    mkdir -p /nix/var/nix/daemon-socket
    NIX_CONF_DIR="$dir/conf" "$daemon" > "$dir/daemon.log" 2>&1 &
    daemon_pid=$!
    trap "kill $daemon_pid 2>/dev/null || true" EXIT
    for _ in $(seq 100); do [ -S /nix/var/nix/daemon-socket/socket ] && break; sleep 0.05; done
    setpriv --reuid=65534 --regid=65534 --clear-groups \
        env HOME="$dir/home" NIX_REMOTE=daemon NIX_CONF_DIR="$dir/conf" XDG_CACHE_HOME="$dir/home/.cache" "$@"
' daemon-nix "$dir" "$daemon" "$@"
