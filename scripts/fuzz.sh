#!/bin/sh
# Fuzzes every reader of a user's file (workload, architecture, technology, mapping, sweep, space, .npy mask,
# ONNX model) with libFuzzer under ASan + UBSan: builds the harnesses of tests/fuzz with clang in BUILD_DIR, runs each
# reader's kept regression inputs, then fuzzes each for SECONDS. A crash, a hang, a sanitizer report or an
# exception other than the one-line input error fails it; the input that did it is left in
# BUILD_DIR/tests/fuzz/crashes_NAME/ (keep it in tests/fuzz/regressions/NAME/ once fixed).
#   scripts/fuzz.sh [SECONDS [BUILD_DIR]]      defaults: 60 seconds per reader, build-fuzz
# Needs what scripts/setup.sh installs (clang, libclang-rt-14-dev); run that first on a new machine.
set -eu
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
BUILD_DIR=${2:-build-fuzz}

if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Fuzz -DCOSIM_FUZZ=ON >/dev/null
fi
cmake -S . -B "$BUILD_DIR" -DCOSIM_FUZZ_SECONDS="$SECONDS_EACH" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" -- --no-print-directory -s >/dev/null
UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir "$BUILD_DIR" -j"$(nproc)" -L fuzz --output-on-failure
echo "fuzz: every reader fuzzed for $SECONDS_EACH s without a crash or an internal error"
