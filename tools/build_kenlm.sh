#!/usr/bin/env bash
# Build KenLM's training tools (lmplz, build_binary) from the kenlm PyPI sdist.
#
# The `kenlm` wheel only *queries* models; training needs the C++ binaries. They are
# built once, offline, into third_party/kenlm-build/ (git-ignored). Running or testing
# crawlsift never needs them, nor Boost, nor a compiler.
#
# Usage: tools/build_kenlm.sh            (idempotent: skips if the binaries exist)
# Env:   PYTHON (default: python3), KENLM_VERSION (default 0.3.0),
#        KENLM_BUILD_DIR (default: <repo>/third_party/kenlm-build), JOBS (default: nproc)
# Needs: cmake, g++, and Debian packages
#   libboost-program-options-dev libboost-system-dev libboost-thread-dev
#   libboost-test-dev zlib1g-dev libbz2-dev liblzma-dev
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
KENLM_VERSION="${KENLM_VERSION:-0.3.0}"
BUILD_ROOT="${KENLM_BUILD_DIR:-$REPO/third_party/kenlm-build}"
JOBS="${JOBS:-$(nproc)}"
BIN="$BUILD_ROOT/build/bin"

if [[ -x "$BIN/lmplz" && -x "$BIN/build_binary" ]]; then
    echo "kenlm tools already built: $BIN"
    exit 0
fi

if [[ "${INSTALL_APT_DEPS:-0}" == "1" ]]; then
    apt-get update
    apt-get install -y cmake g++ libboost-program-options-dev libboost-system-dev \
        libboost-thread-dev libboost-test-dev zlib1g-dev libbz2-dev liblzma-dev
fi

mkdir -p "$BUILD_ROOT"
SDIST="$BUILD_ROOT/kenlm-$KENLM_VERSION.tar.gz"
if [[ ! -f "$SDIST" ]]; then
    # pip reads the sdist's metadata before saving it. Without build isolation that needs
    # only setuptools + wheel in $PYTHON; otherwise pip fetches them (and a cmake wheel)
    # into a throw-away environment. Never --no-binary :all: (it compiles cmake itself).
    "$PYTHON" -m pip download --no-binary kenlm --no-deps --no-build-isolation \
        "kenlm==$KENLM_VERSION" -d "$BUILD_ROOT" \
    || "$PYTHON" -m pip download --no-binary kenlm --no-deps \
        "kenlm==$KENLM_VERSION" -d "$BUILD_ROOT"
fi
SRC="$BUILD_ROOT/kenlm-$KENLM_VERSION"
[[ -d "$SRC" ]] || tar -xzf "$SDIST" -C "$BUILD_ROOT"

mkdir -p "$BUILD_ROOT/build"
cmake -S "$SRC" -B "$BUILD_ROOT/build" -DCMAKE_BUILD_TYPE=Release -DKENLM_MAX_ORDER=6
cmake --build "$BUILD_ROOT/build" --target lmplz build_binary -j "$JOBS"
echo "built: $BIN/lmplz $BIN/build_binary"
