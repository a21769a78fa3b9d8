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

# Timeloop's Eyeriss-like exercise (timeloop-accelergy-exercises, 2020.ispass/timeloop/06-mapper-convlayer-eyeriss,
# ref-output/timeloop-mapper.stats.txt): VGG02 layer 5 with the exercise's sizes and energy table
# (validation/timeloop-eyeriss), for each mapping objective, beside Timeloop's best mapping.
echo
echo "| run | cycles | x Timeloop | pJ/MAC | MAC | local buffers | global buffer | DRAM | DRAM MB | mapping |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
echo "| Timeloop (reference) | 5,505,024 | 1.00 | 5.82 | 2.20 | 2.37 | 0.71 | 0.54 | 7.77 | row stationary |"
V=validation/timeloop-eyeriss
for a in arch; do
  for o in edp latency energy; do
    "$COSIM" run "$V/vgg02_layer5.json" --arch "$V/$a.json" --objective "$o" --format json -o "$TMP/t.json"
    "$PY" - "$TMP/t.json" "$a, $o" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
t, l = r["total"], r["layers"][0]
macs, e = l["macs"], t["energy_pJ"]
m = l["mapping"]
tile = f'{"".join(w[0] for w in m["dataflow"].split("_")).upper()} {m["tile"]["m"]}x{m["tile"]["k"]}x{m["tile"]["n"]}'
g = m.get("glb_tile")
if g:
    tile += f' / GLB {g["m"]}x{g["k"]}x{g["n"]}'
print(f"| cosim {sys.argv[2]} | {t['cycles']:,} | {t['cycles'] / 5505024:.2f} | {e['total'] / macs:.2f} | "
      f"{e['compute'] / macs:.2f} | {e['local_buffers'] / macs:.2f} | {e['global_buffer'] / macs:.2f} | "
      f"{e['dram'] / macs:.2f} | {t['traffic_bytes']['dram'] / 1e6:.2f} | {tile} |")
PYEOF
  done
done

# ViTCoD's attention model (its simulator reimplemented, checked against its published log) beside cosim's, on
# DeiT-Tiny with the real mask (skipped, saying so, when ../shared/data has no mask).
echo
"$PY" scripts/vitcod-compare.py --check --cosim "$COSIM" || [ $? -eq 77 ]
