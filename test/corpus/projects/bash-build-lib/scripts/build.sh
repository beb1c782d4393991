#!/bin/bash
# Builds lib/ from src/ (what a tsc or babel project does; lib/ is in .gitignore).
set -euo pipefail
out="${1:-lib}"
mkdir -p "$out"
for f in src/*.txt; do
  tr '[:lower:]' '[:upper:]' < "$f" > "$out/$(basename "$f")"
done
echo "built $(ls "$out" | wc -l) file(s) into $out"
