#!/usr/bin/env bash
# Runs a command as a second machine with an empty Nix store would: a private mount namespace
# where DIR is bind-mounted on /nix (Nix creates its database there on first use).
#   empty-store.sh DIR CMD...
set -euo pipefail
dir=$1
shift
mkdir -p "$dir"
exec unshare --mount --propagation private bash -c 'mount --bind "$0" /nix && exec "$@"' "$dir" "$@"
