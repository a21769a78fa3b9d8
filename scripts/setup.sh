#!/bin/sh
# Sets up cosim on a Debian machine: installs the Debian packages it needs (only those missing; needs root for
# that) and builds it. Idempotent: when everything is installed and built it only checks, in seconds.
#   scripts/setup.sh [BUILD_DIR [BUILD_TYPE]]     defaults: build Release; BUILD_TYPE Sanitize = ASan + UBSan
set -eu
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
BUILD_TYPE=${2:-Release}

PACKAGES="cmake make g++ pkg-config libsystemc-dev verilator libgtest-dev libgmock-dev libbenchmark-dev \
libfmt-dev nlohmann-json3-dev libcli11-dev libboost-graph-dev clang-format yosys libpagmo-dev gnuplot-nox \
libopenmpi-dev openmpi-bin python3 python3-jsonschema clang libclang-rt-14-dev \
libonnx-dev libprotobuf-dev python3-onnx python3-torch python3-torchvision python3-pytest \
libtorch-dev zlib1g-dev dataset-fashion-mnist pybind11-dev"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: these Debian packages are missing and installing them needs root:$missing" >&2
    exit 1
  fi
  echo "setup: installing$missing"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi

if [ ! -f "$BUILD_DIR/Makefile" ]; then  # none yet, or a configure that failed
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="$BUILD_TYPE" >/dev/null
fi
cmake --build "$BUILD_DIR" -j"$(nproc)" -- --no-print-directory -s >/dev/null
echo "setup: cosim built in $BUILD_DIR ($BUILD_TYPE)"
