#!/usr/bin/env bash
set -euo pipefail
lib="$1"
grep -qx "HELLO" "$lib/greeting.txt"
grep -qx "WORLD" "$lib/name.txt"
echo "check: ok"
