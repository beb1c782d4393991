#!/usr/bin/env bash
# The quick start: nixkit's main job end to end on examples/hello, offline, with real Nix in the
# sandbox and the offline package set: generate, dev shell, build, test.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# The test that runs this demo has done both already (NIXKIT_DEMO_PREPARED=1).
if [ -z "${NIXKIT_DEMO_PREPARED:-}" ]; then
    bash "$root/scripts/setup.sh"
    node "$root/scripts/build.mjs"
fi

# No binary cache is reachable offline; without this every build waits for it to time out.
export NIX_CONFIG="substituters ="
nixkit() { node "$root/bin/nixkit.cjs" "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "nixkit offline-pkgs (the offline nixpkgs-compatible package set)"
nixpkgs="$(nixkit offline-pkgs)"
echo "$nixpkgs"

# The example's nixpkgs input becomes the offline set (nixpkgs cannot be downloaded here), so the
# project locks and checks its inputs as it would with nixpkgs: flake.lock is written and CI's
# flake-lock check holds.
project="${NIXKIT_DEMO_DIR:-$(mktemp -d -t nixkit-demo-XXXXXX)}"
cp -r "$root/examples/hello/." "$project/"
cd "$project"
sed -i "s|^  nixpkgs: .*|  nixpkgs: $nixpkgs|" nixkit.yaml

step "nixkit generate (flake.nix + .nixkit/lib from nixkit.yaml) and nixkit lock (flake.lock)"
nixkit generate
nixkit generate --check
nixkit lock

step "nixkit doctor"
nixkit doctor

step "nixkit run -- ... (the dev shell: packages, env and hook from nixkit.yaml; first entry is cold)"
nixkit run -- bash -c 'hello && echo "GREETING=$GREETING" && command -v awk'

step "nixkit run again (warm: served from .nixkit/cache with no nix process)"
time nixkit run -- hello

step "nixkit build (sandboxed)"
nixkit build
./result-greet/bin/greet Ada grace

step "nixkit test (sandboxed)"
nixkit test

step "nixkit image build greeter (deterministic OCI image, written straight from the store)"
nixkit image build greeter

step "nixkit ci (the same pipeline the generated GitHub/GitLab files run)"
nixkit ci generate
nixkit ci

step "done"
echo "The project is in $project: try 'cd $project && node $root/bin/nixkit.cjs shell'"
