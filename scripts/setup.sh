#!/usr/bin/env bash
# Installs what nixkit's demo and tests need, and nothing that is already there:
# Nix, static busybox and bash, CA certificates (Debian packages), and the npm dependencies
# from package-lock.json. Safe to run again.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

# zsh and fish: the tests enter the dev shell with each; libxml2-utils: xmllint validates the
# merged JUnit report against its XSD; skopeo, umoci, runc, docker-registry: images are pushed
# with skopeo, and the tests run them, serve them from a local registry and `podman load` them;
# nginx-light (WebDAV PUT) serves the binary cache in the cache tests.
# patchelf: the modern Nix (Debian 13's nix-bin, see scripts/modern-nix.sh) runs from a private prefix, and the
# offline package set makes the host's Node.js and Python run from the store. python3-pytest and
# python3-numpy: the offline set's python3Packages. openssh-server, iproute2: the remote-builder tests run
# sshd in a network namespace of their own (a second host with its own /nix). python3-venv, python3-pip:
# uv, which the Python lockfile tests lock with, is installed from the Python index pip is configured
# with into a venv of its own; libgomp1: GCC's OpenMP runtime for the offline set's manylinux libraries;
# python3-dev: CPython's headers, which the offline set's python3 carries for sdists with C extensions;
# python3-hatchling, -hatch-vcs, -poetry-core: build backends, beside setuptools, for sdists.
debian_packages=(nix-bin busybox-static bash-static ca-certificates python3 python3-pytest python3-numpy openssh-server openssh-client iproute2 zsh fish libxml2-utils skopeo umoci runc docker-registry podman nginx-light git patchelf python3-venv python3-pip libgomp1 python3-setuptools python3-wheel python3-dev python3-hatchling python3-hatch-vcs python3-poetry-core)
# Go: the Go tests build with the Go on PATH (and the offline set imports it); Debian's when there is none.
if ! command -v go >/dev/null; then debian_packages+=(golang-go); fi
# A C compiler (the offline set imports it: Rust links through it) and, unless rustup gave one, Rust.
debian_packages+=(gcc libc6-dev)
if ! command -v cargo >/dev/null; then debian_packages+=(rustc cargo); fi
missing=()
for pkg in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    if ! command -v apt-get >/dev/null; then
        echo "setup: please install ${missing[*]} (Nix 2.8+, a static busybox and bash) with your package manager" >&2
        exit 3
    fi
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    echo "setup: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    # Packages like nginx and docker-registry start a system service when installed; the tests
    # start their own on 127.0.0.1 and nothing else may listen, so service starts are refused
    # (policy-rc.d exit 101) for the length of the install.
    policy=/usr/sbin/policy-rc.d
    had_policy=false
    if [ -e "$policy" ]; then had_policy=true; fi
    if [ "$had_policy" = false ]; then printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod 755 "$policy"; fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    if [ "$had_policy" = false ]; then $sudo rm -f "$policy"; fi
fi

# npm ci only when node_modules does not match the lockfile.
stamp="$root/node_modules/.package-lock.json"
if [ ! -f "$stamp" ] || [ "$root/package-lock.json" -nt "$stamp" ]; then
    echo "setup: installing npm dependencies" >&2
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
fi

# The suite also runs on a modern Nix (Debian 13's 2.26.3), unpacked privately.
bash "$root/scripts/modern-nix.sh" install

# uv, at the version the Python tests were written against (they run `uv lock` and `uv pip compile`).
uv_version=0.13.10
uv_dir="${XDG_CACHE_HOME:-$HOME/.cache}/nixkit-tests/uv-$uv_version"
if [ ! -x "$uv_dir/bin/uv" ]; then
    echo "setup: installing uv $uv_version" >&2
    rm -rf "$uv_dir"
    python3 -m venv "$uv_dir"
    "$uv_dir/bin/pip" install -q --disable-pip-version-check "uv==$uv_version" || { rm -rf "$uv_dir"; exit 1; }
fi
