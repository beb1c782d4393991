#!/usr/bin/env bash
# A second "host" on this machine for the remote-builder tests: its own network namespace (a
# veth pair with addresses of its own), its own /nix (a private mount namespace with a directory
# bind-mounted on /nix), the host's Nix, and sshd on its address with keys made here.
#   builder-host.sh start DIR INDEX   -> prints the Nix machines line; state in DIR
#   builder-host.sh stop DIR          -> stops sshd, removes the namespace and the link
#   builder-host.sh run DIR CMD...    -> CMD on that host: in its network namespace, with its /nix
# INDEX (1-250) keeps concurrent hosts apart: 10.231.INDEX.1 (here) and 10.231.INDEX.2 (the host).
set -euo pipefail
cmd=$1 dir=$2

stop() {
    if [ -f "$dir/sshd.pid" ]; then kill "$(cat "$dir/sshd.pid")" 2>/dev/null || true; fi
    if [ -f "$dir/namespace" ]; then
        ns=$(cat "$dir/namespace")
        # Whatever still runs in the namespace (a build's nix-daemon) goes with it.
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
        ip link del "$(cat "$dir/link")" 2>/dev/null || true
        rm -f "$dir/namespace"
    fi
}

if [ "$cmd" = stop ]; then stop; exit 0; fi
if [ "$cmd" = run ]; then
    shift 2
    exec ip netns exec "$(cat "$dir/namespace")" unshare --mount --propagation private \
        bash -c 'mount --bind "$0" /nix && exec "$@"' "$dir/nix" "$@"
fi

index=$3
ns="nixkit-b$index-$$"
link="nkb$index-$$"
link=${link:0:15}
mkdir -p "$dir/nix" "$dir/etc" /run/sshd
echo "$ns" > "$dir/namespace"
echo "$link" > "$dir/link"
trap 'stop' ERR

ip netns add "$ns"
ip link add "$link" type veth peer name eth0 netns "$ns"
ip addr add "10.231.$index.1/30" dev "$link"
ip link set "$link" up
ip netns exec "$ns" ip addr add "10.231.$index.2/30" dev eth0
ip netns exec "$ns" ip link set eth0 up
ip netns exec "$ns" ip link set lo up

ssh-keygen -q -t ed25519 -N "" -f "$dir/etc/host_key"
ssh-keygen -q -t ed25519 -N "" -f "$dir/client_key"
cp "$dir/client_key.pub" "$dir/etc/authorized_keys"
cat > "$dir/etc/sshd_config" <<CONF
ListenAddress 10.231.$index.2
HostKey $dir/etc/host_key
AuthorizedKeysFile $dir/etc/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $dir/sshd.pid
SetEnv PATH=${BUILDER_PATH:-/usr/bin:/bin} NIX_CONF_DIR=$dir/etc/nix
CONF
# The builder's own Nix settings: no binary cache (none is reachable), the sandbox on.
mkdir -p "$dir/etc/nix"
printf 'substituters =\nsandbox = true\nexperimental-features = nix-command flakes\n' > "$dir/etc/nix/nix.conf"

# sshd (and each nix-daemon --stdio it starts for a client) sees the host's own /nix.
ip netns exec "$ns" unshare --mount --propagation private \
    sh -c "mount --bind '$dir/nix' /nix && exec /usr/sbin/sshd -f '$dir/etc/sshd_config' -E '$dir/sshd.log'"
for _ in $(seq 50); do [ -s "$dir/sshd.pid" ] && break; sleep 0.1; done
echo "ssh-ng://root@10.231.$index.2 $(nix eval --raw --impure --expr builtins.currentSystem --extra-experimental-features nix-command 2>/dev/null || echo x86_64-linux) $dir/client_key 2 1 - - $(base64 -w0 < "$dir/etc/host_key.pub")"
