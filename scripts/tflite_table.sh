#!/bin/sh
# SPDX-License-Identifier: MIT
# Print the docs/performance.md table "TFLite import and TFLM arena": for every
# model in MODELS_DIR (default ../shared/models), ops, MACs, per-layer peak,
# TFLite Micro's greedy arena and the median import time of bench_import.
#
#   scripts/tflite_table.sh [BUILD_DIR [MODELS_DIR [ITERATIONS]]]
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
models=${2:-../shared/models}
iters=${3:-200}
num() { sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p" | head -1; }
echo "| model | bytes | ops | MACs | per-layer peak (B) | TFLM greedy arena (B) | import (median ms) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for f in "$models"/*.tflite; do
  json=$("$build/memplan" analyze --json "$f")
  ops=$(echo "$json" | num ops)
  macs=$(echo "$json" | num macs)
  peak=$(echo "$json" | num peak_bytes)
  tflm=$(echo "$json" | num tflm_greedy_arena_bytes)
  ms=$("$build/tests/bench/bench_import" "$f" "$iters" | sed -n 's/.*import from memory .*median \([0-9.]*\) ms.*/\1/p')
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$(basename "$f" .tflite)" \
    "$(wc -c <"$f" | tr -d ' ')" "$ops" "$macs" "$peak" "$tflm" "$ms"
done
