#!/bin/sh
# Trains each candidate of a file alone (cosim train --standalone) and appends its accuracy to a CSV
# (encoding,validation_accuracy,test_accuracy), for scripts/rank-correlation.py (docs/training.md).
#   scripts/train-standalone.sh CANDIDATES.txt OUT.csv [cosim train options, e.g. --epochs 2 --threads 1]
# Candidates already in OUT.csv are skipped, so a killed run continues where it stopped; each candidate's
# checkpoint goes to OUT.csv's folder (OUT.d/), so a killed candidate resumes after its last epoch.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 CANDIDATES.txt OUT.csv [cosim train options]" >&2; exit 2; }
candidates=$1 out=$2
shift 2
cosim=${COSIM:-$(dirname "$0")/../build/cosim}
[ -r "$candidates" ] || { echo "train-standalone: error: $candidates: cannot read the candidates file" >&2; exit 2; }
[ -f "$out" ] || echo "encoding,validation_accuracy,test_accuracy" > "$out"
mkdir -p "$out.d"
grep -v '^[[:space:]]*\(#\|$\)' "$candidates" | while read -r encoding; do
  if grep -q "^$encoding," "$out"; then continue; fi
  checkpoint="$out.d/$(echo "$encoding" | tr ':.' '__').pt"
  resume=""
  [ -f "$checkpoint" ] && resume="--resume"
  line=$("$cosim" train --standalone "$encoding" -o "$checkpoint" $resume "$@")
  # "cosim train: ENC trained alone N epochs; validation accuracy V%, test accuracy T%; checkpoint F"
  v=$(echo "$line" | sed -n 's/.*validation accuracy \([0-9.]*\)%.*/\1/p')
  t=$(echo "$line" | sed -n 's/.*test accuracy \([0-9.]*\)%.*/\1/p')
  [ -n "$v" ] && [ -n "$t" ] || { echo "train-standalone: error: unexpected output: $line" >&2; exit 1; }
  echo "$encoding,$(awk "BEGIN{printf \"%.6f\", $v/100}"),$(awk "BEGIN{printf \"%.6f\", $t/100}")" >> "$out"
  echo "$line" >&2
done
