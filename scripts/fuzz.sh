#!/bin/sh
# SPDX-License-Identifier: MIT
# Run the libFuzzer harnesses of every parser (tests/fuzz; docs/reliability.md).
#
#   scripts/fuzz.sh                          # every harness, 20 s each
#   FUZZ_SECONDS=15 scripts/fuzz.sh          # the short run of scripts/test.sh
#   FUZZ_RUNS=1000000 scripts/fuzz.sh        # the long campaign: 1,000,000 inputs each
#   FUZZ_HARNESSES="tflite catalog" scripts/fuzz.sh
#
# FUZZ_RUNS, when set, stops each harness after that many inputs (and
# FUZZ_SECONDS then defaults to no time limit). Needs clang with libFuzzer
# (Debian: clang, libclang-rt-14-dev); without it the script says so and
# exits 0. The library is built with coverage instrumentation, ASan and UBSan
# in build-fuzz/. Seeds come from nets/, tests/data/ and ../shared/models when
# present; the corpus grows in build-fuzz/corpus/HARNESS across runs; crashes,
# leaks and timeouts go to build-fuzz/findings/ and fail the script. The last
# line per harness gives inputs, seconds and inputs per second.
set -eu
cd "$(dirname "$0")/.."
if ! command -v clang >/dev/null 2>&1; then
  echo "fuzz: clang not found, skipping the fuzz runs"; exit 0
fi
probe=$(mktemp -d)
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\n%s\n' \
  'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return d && n; }' \
  >"$probe/p.c"
if ! clang -fsanitize=fuzzer "$probe/p.c" -o "$probe/p" >/dev/null 2>&1; then
  rm -rf "$probe"
  echo "fuzz: clang has no libFuzzer (Debian: libclang-rt-14-dev), skipping the fuzz runs"
  exit 0
fi
rm -rf "$probe"

runs=${FUZZ_RUNS:-}
if [ -n "$runs" ]; then secs=${FUZZ_SECONDS:-0}; else secs=${FUZZ_SECONDS:-20}; fi
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang meson setup build-fuzz --buildtype=debugoptimized -Dfuzz=true -Dtests=false \
    -Db_lundef=false >/dev/null
fi
meson compile -C build-fuzz >/dev/null
mkdir -p build-fuzz/findings build-fuzz/corpus

seeds() { # harness -> a fresh seed directory
  dir="build-fuzz/seeds/$1"
  rm -rf "$dir"; mkdir -p "$dir"
  case "$1" in
    net_json) cp nets/*.json tests/data/fuzz/*.json "$dir"
              for f in tests/data/bad/*.json; do
                case "${f##*/}" in schedule_*|catalog_*) ;; *) cp "$f" "$dir" ;; esac
              done ;;
    schedule_json)
      net=tests/data/fuzz/net_fz.json # the network fuzz_schedule_json.c reads schedules for
      ./build-fuzz/memplan plan "$net" --no-db -o "$dir/s1.json" >/dev/null 2>&1 || true
      ./build-fuzz/memplan plan "$net" --no-db --split add --patches 2x2 --halo cache \
        -o "$dir/s2.json" >/dev/null 2>&1 || true
      ./build-fuzz/memplan plan "$net" --no-db --split pw --patches 3x2 --inplace-dw --align 16 \
        -o "$dir/s3.json" >/dev/null 2>&1 || true
      cp tests/data/bad/schedule_*.json "$dir" 2>/dev/null || true ;;
    tflite) cp tests/data/tflite/*.tflite tests/data/bad/*.tflite tests/data/fuzz/*.tflite "$dir"
            cp ../shared/models/*.tflite "$dir" 2>/dev/null || true ;;
    catalog) cp tests/data/catalogs/*.json tests/data/bad/catalog_*.json "$dir" 2>/dev/null || true ;;
  esac
  echo "$dir"
}

status=0
for h in ${FUZZ_HARNESSES:-net_json schedule_json tflite catalog}; do
  bin="build-fuzz/tests/fuzz/fuzz_$h"
  [ -x "$bin" ] || { echo "fuzz: $bin missing"; status=1; continue; }
  dir=$(seeds "$h")
  corpus="build-fuzz/corpus/$h"
  mkdir -p "$corpus"
  dict=""
  case "$h" in *json|catalog) dict="-dict=tests/fuzz/json.dict" ;; esac
  limit="-max_total_time=$secs"
  [ -n "$runs" ] && limit="-runs=$runs -max_total_time=$secs"
  log="build-fuzz/fuzz_$h.log"
  echo "== fuzz_$h: ${runs:+$runs inputs}${runs:+, }${secs} s limit (0 = none), log $log"
  # shellcheck disable=SC2086
  if ! "$bin" $limit $dict -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="build-fuzz/findings/$h-" "$corpus" "$dir" >"$log" 2>&1; then
    echo "fuzz_$h FAILED: see $log and build-fuzz/findings/"; status=1
    grep -E "ERROR|SUMMARY|Test unit written" "$log" | head -5 || true
    continue
  fi
  n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")
  t=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
  echo "fuzz_$h: $n inputs in ${t:-?} s ($rate inputs/s), peak RSS $rss MB, no crash, leak or timeout"
done
exit $status
