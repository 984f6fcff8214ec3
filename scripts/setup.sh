#!/bin/sh
# SPDX-License-Identifier: MIT
# Install what is missing, build memplan (release) and run its main job on a
# bundled network. Usage: scripts/setup.sh [NET]
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=release -Dtests=false >/dev/null
meson compile -C build >/dev/null
./build/memplan analyze "${1:-nets/mobilenetv2-w1.0-r224.json}"
