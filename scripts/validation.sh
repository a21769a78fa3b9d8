#!/bin/sh
# Reproduces the figures of docs/validation.md from the tree: every shipped workload on every preset that runs
# it (a preset without a chunk for one of the workload's operators does not), with its DRAM traffic against the
# compulsory bytes (weights read once, the network input read once, its result written once). Prints a
# Markdown table.
#   scripts/validation.sh [BUILD_DIR]     default: build
set -eu
cd "$(dirname "$0")/.."
COSIM="${1:-build}/cosim"
[ -x "$COSIM" ] || { echo "validation: no $COSIM; build first (scripts/setup.sh)" >&2; exit 1; }
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
echo "| workload | preset | cycles | energy mJ | DRAM MB | compulsory MB | DRAM / compulsory |"
echo "|---|---|---:|---:|---:|---:|---:|"
for w in workloads/*.json; do
  for a in arch/*.json; do
    if "$COSIM" run "$w" --arch "$a" --format json -o "$TMP/r.json" 2>"$TMP/err"; then
      "$PY" - "$TMP/r.json" "$(basename "$w")" "$(basename "$a" .json)" <<'PYEOF'
import json, sys
t = json.load(open(sys.argv[1]))["total"]
dram, comp = t["traffic_bytes"]["dram"], t["compulsory_dram_bytes"]
print(f"| {sys.argv[2]} | {sys.argv[3]} | {t['cycles']:,} | {t['energy_pJ']['total'] / 1e9:.3f} | "
      f"{dram / 1e6:.2f} | {comp / 1e6:.2f} | {dram / comp:.2f} |")
PYEOF
    elif grep -q "no chunk" "$TMP/err"; then
      :  # the preset has no chunk for one of the workload's operators: it does not run it
    else
      echo "validation: $w on $a failed: $(cat "$TMP/err")" >&2
      exit 1
    fi
  done
done
