# Offline stdenv setup: the part of nixpkgs' stdenv/generic/setup.sh that the nixpkgs contract
# covers (phases, hooks, inputs on PATH, setup-hook and propagated inputs, passAsFile).
# Sourced by the default builder and by `nix develop`/`nix print-dev-env` (get-env.sh).

# Like nixpkgs: strict mode while setting up, the caller's options restored at the end so a
# dev shell does not inherit `set -eu`.
__setupOriginalOptions=$-
set -eu
set -o pipefail

: "${outputs:=out}"
export NIX_BUILD_CORES="${NIX_BUILD_CORES:-1}"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-315532800}"
# $shell is written above this file by the stdenv derivation, as nixpkgs does.
export CONFIG_SHELL="$shell"
export SHELL="$shell"

runHook() {
    local hookName="$1"
    shift
    local hooksSlice="${hookName%Hook}Hooks[@]"
    local hook
    for hook in "_callImplicitHook 0 $hookName" ${!hooksSlice+"${!hooksSlice}"}; do
        _eval "$hook" "$@"
    done
    return 0
}

_callImplicitHook() {
    local def="$1"
    local hookName="$2"
    if declare -F "$hookName" >/dev/null; then
        "$hookName"
    elif [ -n "${!hookName:-}" ]; then
        eval "${!hookName}"
    else
        return "$def"
    fi
}

# A hook is either a function name or a string of shell code.
_eval() {
    if declare -F "$1" >/dev/null 2>&1; then
        "$@"
    else
        eval "$1"
    fi
}

addToSearchPath() {
    local varName="$1" dir="$2"
    if [ -d "$dir" ]; then
        export "${varName}=${!varName:+${!varName}:}${dir}"
    fi
}

# Collects each input and, transitively, what it lists in nix-support/propagated-*-inputs.
declare -a _allInputs=()
_findInputs() {
    local pkg="$1" seen propagated file
    for seen in ${_allInputs[@]+"${_allInputs[@]}"}; do
        [ "$seen" = "$pkg" ] && return 0
    done
    _allInputs+=("$pkg")
    if ! [ -e "$pkg" ]; then
        echo "build input $pkg does not exist" >&2
        exit 1
    fi
    for file in propagated-build-inputs propagated-native-build-inputs; do
        if [ -f "$pkg/nix-support/$file" ]; then
            for propagated in $(< "$pkg/nix-support/$file"); do
                _findInputs "$propagated"
            done
        fi
    done
}

_activateInputs() {
    local pkg
    for pkg in ${nativeBuildInputs:-} ${buildInputs:-} ${propagatedNativeBuildInputs:-} ${propagatedBuildInputs:-}; do
        _findInputs "$pkg"
    done
    for pkg in ${_allInputs[@]+"${_allInputs[@]}"}; do
        # As nixpkgs' activatePackage: an input that is a file is a setup hook, sourced.
        if [ -f "$pkg" ]; then
            echo "sourcing setup hook '$pkg'"
            source "$pkg"
        fi
        addToSearchPath _inputsPath "$pkg/bin"
        if [ -f "$pkg/nix-support/setup-hook" ]; then
            source "$pkg/nix-support/setup-hook"
        fi
    done
}

_initialPath=""
for _pkg in $(< "$stdenv/initial-path"); do
    addToSearchPath _initialPath "$_pkg/bin"
done
_inputsPath=""
_activateInputs
export PATH="${_inputsPath:+${_inputsPath}:}${_initialPath}${PATH:+:${PATH}}"
# Nix sets PATH=/path-not-set in the sandbox; keep it out of the search path.
PATH="${PATH%:/path-not-set}"
unset _pkg _initialPath _inputsPath

unpackPhase() {
    runHook preUnpack
    if [ -z "${src:-}" ] && [ -z "${srcs:-}" ]; then
        echo "unpackPhase: variable \$src or \$srcs should point to the source" >&2
        return 1
    fi
    local source
    for source in ${srcs:-$src}; do
        if [ -d "$source" ]; then
            local name="${source#"${NIX_STORE:-/nix/store}"/}"
            name="${name#*-}"
            # -p as nixpkgs: sources keep the store's timestamps (1970), which make-style tools see.
            # GNU cp (nixpkgs') is silent when the build user cannot take the store's owner;
            # busybox says so for every file, so that one message is dropped.
            cp -pr "$source" "$name" 2> >(grep -v "can't preserve ownership" >&2 || true)
            chmod -R u+w -- "$name"
            sourceRoot="${sourceRoot:-$name}"
        else
            case "$source" in
                # busybox tar (unlike nixpkgs' GNU tar) does not detect the compression itself.
                *.tar) tar xf "$source" ;;
                *.tar.gz|*.tgz) tar xzf "$source" ;;
                *.tar.xz) tar xJf "$source" ;;
                *.tar.bz2) tar xjf "$source" ;;
                *) echo "unpackPhase: do not know how to unpack $source" >&2; return 1 ;;
            esac
            sourceRoot="${sourceRoot:-$(ls -d */ | head -n 1)}"
        fi
    done
    runHook postUnpack
}

patchPhase() {
    runHook prePatch
    local p
    for p in ${patches:-}; do
        patch -p1 < "$p"
    done
    runHook postPatch
}

configurePhase() {
    runHook preConfigure
    if [ -z "${dontConfigure:-}" ] && [ -x ./configure ]; then
        ./configure --prefix="$out" ${configureFlags:-}
    fi
    runHook postConfigure
}

buildPhase() {
    runHook preBuild
    if [ -f Makefile ] || [ -f makefile ]; then
        echo "buildPhase: this offline package set has no make; set buildPhase" >&2
        return 1
    fi
    runHook postBuild
}

checkPhase() {
    runHook preCheck
    runHook postCheck
}

installPhase() {
    runHook preInstall
    runHook postInstall
}

fixupPhase() {
    runHook preFixup
    local output
    for output in $outputs; do
        if [ -z "${dontPatchShebangs:-}" ] && [ -e "${!output}" ]; then
            patchShebangs "${!output}"
        fi
    done
    runHook postFixup
    if [ -z "${dontCheckForBrokenSymlinks:-}" ]; then
        for output in $outputs; do
            _noBrokenSymlinks "${!output}"
        done
    fi
}

# As nixpkgs' no-broken-symlinks hook (25.05+), after postFixup: a symlink in an output that
# points to nothing, or to itself, fails the build.
_noBrokenSymlinks() {
    local output="$1" path dangling=0 reflexive=0
    [ -e "$output" ] || return 0
    while IFS= read -r -d '' path; do
        if [ "$(readlink "$path")" = "$path" ] || [ "$(readlink "$path")" = "${path##*/}" ]; then
            echo "noBrokenSymlinks: the symlink $path is reflexive" >&2
            reflexive=$((reflexive + 1))
        elif [ ! -e "$path" ]; then
            echo "noBrokenSymlinks: the symlink $path points to a missing target $(readlink "$path")" >&2
            dangling=$((dangling + 1))
        fi
    done < <(find "$output" -type l -print0)
    if [ "$dangling" -gt 0 ] || [ "$reflexive" -gt 0 ]; then
        echo "noBrokenSymlinks: found $dangling dangling symlinks and $reflexive reflexive symlinks" >&2
        exit 1
    fi
}

# Rewrites `#!/usr/bin/env prog` and `#!/bin/prog` in executable files to the prog found on
# PATH, as nixpkgs' patch-shebangs.sh does, so scripts run inside the sandbox and outside it.
patchShebangs() {
    local file line interpreter args found
    find "$@" -type f -perm -0100 | while IFS= read -r file; do
        IFS= read -r line < "$file" || true
        case "$line" in '#!'*) ;; *) continue ;; esac
        line="${line#\#!}"
        read -r interpreter args <<< "$line"
        case "$interpreter" in "${NIX_STORE:-/nix/store}"/*) continue ;; esac
        if [ "$interpreter" = /usr/bin/env ]; then
            read -r interpreter args <<< "$args"
        fi
        found="$(command -v "${interpreter##*/}" || true)"
        if [ -z "$found" ]; then
            echo "patchShebangs: $file: ${interpreter##*/} not found on PATH" >&2
            continue
        fi
        echo "patchShebangs: $file: #!$found${args:+ $args}"
        { echo "#!$found${args:+ $args}"; tail -n +2 "$file"; } > "$file.patched"
        chmod "$(stat -c %a "$file")" "$file.patched"
        mv "$file.patched" "$file"
    done
}

installCheckPhase() {
    runHook preInstallCheck
    runHook postInstallCheck
}

distPhase() {
    runHook preDist
    runHook postDist
}

showPhaseHeader() {
    echo "Running phase: $1"
    # Like nixpkgs: tell Nix's structured logger the phase, so progress displays can show it.
    if [ -n "${NIX_LOG_FD:-}" ]; then
        printf '@nix { "action": "setPhase", "phase": "%s" }\n' "$1" >&"$NIX_LOG_FD"
    fi
}

genericBuild() {
    if [ -f "${buildCommandPath:-}" ]; then
        source "$buildCommandPath"
        return
    fi
    if [ -n "${buildCommand:-}" ]; then
        eval "$buildCommand"
        return
    fi
    local allPhases="${phases:-${prePhases:-} unpackPhase patchPhase ${preConfigurePhases:-} configurePhase ${preBuildPhases:-} buildPhase checkPhase ${preInstallPhases:-} installPhase ${preFixupPhases:-} fixupPhase installCheckPhase ${preDistPhases:-} distPhase ${postPhases:-}}"
    local phase
    for phase in $allPhases; do
        case "$phase" in
            unpackPhase) [ -n "${dontUnpack:-}" ] && continue ;;
            configurePhase) [ -n "${dontConfigure:-}" ] && continue ;;
            buildPhase) [ -n "${dontBuild:-}" ] && continue ;;
            checkPhase) [ -z "${doCheck:-}" ] && continue ;;
            installPhase) [ -n "${dontInstall:-}" ] && continue ;;
            fixupPhase) [ -n "${dontFixup:-}" ] && continue ;;
            installCheckPhase) [ -z "${doInstallCheck:-}" ] && continue ;;
            distPhase) [ -z "${doDist:-}" ] && continue ;;
        esac
        showPhaseHeader "$phase"
        # A phase given as a variable overrides the function of the same name.
        if [ -n "${!phase:-}" ]; then eval "${!phase}"; else "$phase"; fi
        if [ "$phase" = unpackPhase ] && [ -n "${sourceRoot:-}" ]; then
            cd "$sourceRoot"
        fi
    done
}

[[ $__setupOriginalOptions == *e* ]] || set +e
[[ $__setupOriginalOptions == *u* ]] || set +u
unset -v __setupOriginalOptions
