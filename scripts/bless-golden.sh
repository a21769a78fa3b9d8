#!/bin/sh
# Rewrites the golden whole-run reports (tests/golden/*.json) from the current build, for an intended change
# of figures: run it, read `git diff tests/golden` (every moved figure is a line there), and commit the diff
# with the change that moved them. The cases are listed in tests/golden/cases.txt.
#   scripts/bless-golden.sh [BUILD_DIR]     default: build
set -eu
cd "$(dirname "$0")/.."
SRC=$(pwd)
COSIM="${1:-build}/cosim"
[ -x "$COSIM" ] || { echo "bless-golden: no $COSIM; build first (scripts/setup.sh)" >&2; exit 1; }
grep -v '^#' tests/golden/cases.txt | while read -r workload arch; do
  [ -n "$workload" ] || continue
  name=$(basename "$workload" .json)@$arch.json
  "$COSIM" run "$workload" --arch "$arch" --format json | sed "s#$SRC/##g" > "tests/golden/$name.tmp"
  mv "tests/golden/$name.tmp" "tests/golden/$name"
  echo "bless-golden: tests/golden/$name"
done
