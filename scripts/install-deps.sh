#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian packages memplan needs to build (and, with --test, to
# run its test suite). Packages already present are left alone; apt-get runs
# only when something is missing. Uses sudo when not run as root.
set -eu
# libgvc6 carries Graphviz's runtime plugins (dot and neato layouts, SVG, and
# the cairo renderer behind PNG and PDF); fonts-dejavu-core gives its text
# layout a font, so pictures look the same on every machine; zlib1g-dev is
# for memplan's PNG encoder (src/render/gv_png.c).
pkgs="gcc libc6-dev pkg-config meson ninja-build libcjson-dev libgraphviz-dev libgvc6 fonts-dejavu-core zlib1g-dev libsqlite3-dev"
if [ "${1:-}" = "--test" ]; then
  pkgs="$pkgs libcmocka-dev valgrind sqlite3 clang libclang-rt-dev gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm"
  pkgs="$pkgs libexpat1-dev libxml2-utils" # SVG checks of the render tests
fi
missing=""
for p in $pkgs; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
echo "memplan: installing:$missing" >&2
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
