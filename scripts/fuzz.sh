#!/bin/sh
# SPDX-License-Identifier: MIT
# Run each libFuzzer harness for a while (default 20 s each; FUZZ_SECONDS
# overrides, or pass -runs=N style libFuzzer options after the harness list).
#   scripts/fuzz.sh                      # every harness, 20 s each
#   FUZZ_SECONDS=600 scripts/fuzz.sh     # the long campaign (docs/reliability.md)
# Needs clang with libFuzzer (Debian: clang, libclang-rt-14-dev). Seeds come
# from nets/, tests/data/ and ../shared/models when present; findings go to
# build-fuzz/findings/.
set -eu
cd "$(dirname "$0")/.."
command -v clang >/dev/null 2>&1 || { echo "fuzz: clang not found, skipping"; exit 0; }
secs=${FUZZ_SECONDS:-20}
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang meson setup build-fuzz --buildtype=debugoptimized -Dfuzz=true -Dtests=false \
    -Db_lundef=false >/dev/null
fi
meson compile -C build-fuzz >/dev/null
mkdir -p build-fuzz/findings
seeds() { # harness -> seed directory
  dir="build-fuzz/seeds-$1"
  rm -rf "$dir"; mkdir -p "$dir"
  case "$1" in
    net_json) cp nets/*.json tests/data/bad/*.json "$dir" 2>/dev/null || true ;;
    schedule_json)
      ./build-fuzz/memplan plan tests/data/fuzz/net_fz.json -o "$dir/s1.json" >/dev/null 2>&1 || true
      ./build-fuzz/memplan plan tests/data/fuzz/net_fz.json --split add --patches 2x2 --halo cache \
        -o "$dir/s2.json" >/dev/null 2>&1 || true ;;
    tflite) cp tests/data/tflite/*.tflite tests/data/bad/*.tflite "$dir" 2>/dev/null || true
            cp ../shared/models/*.tflite "$dir" 2>/dev/null || true ;;
    catalog) cp tests/data/catalog/*.json "$dir" 2>/dev/null || true ;;
  esac
  echo "$dir"
}
status=0
for h in ${FUZZ_HARNESSES:-net_json schedule_json tflite catalog}; do
  bin="build-fuzz/tests/fuzz/fuzz_$h"
  [ -x "$bin" ] || continue
  dir=$(seeds "$h")
  echo "== fuzz_$h: $secs s"
  if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="build-fuzz/findings/$h-" "$dir" 2>"build-fuzz/fuzz_$h.log"; then
    echo "fuzz_$h FAILED: see build-fuzz/fuzz_$h.log and build-fuzz/findings/"; status=1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "build-fuzz/fuzz_$h.log" || true
done
exit $status
