#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# target_case.sh MEMPLAN ROOT CASE - one Cortex-M case of the 'qemu' suite:
# `memplan validate --target` builds the exported package for the MCU, links
# it with RAM = the SRAM budget, runs it under qemu-system-arm and writes the
# output bytes the MCU produced; they must equal `memplan run`'s bytes for the
# same input. Prints the figures (docs/performance.md). Exit 77 (skip) when
# qemu-system-arm, arm-none-eabi-gcc or the shared models are missing.
set -u
memplan=$1 root=$2 case=$3
models="$root/../shared/models" zoo="$root/../shared/zoo"
for tool in qemu-system-arm arm-none-eabi-gcc; do
  command -v $tool >/dev/null 2>&1 || { echo "SKIP: $tool is not installed (scripts/install-deps.sh --test)"; exit 77; }
done
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$root" || exit 1
cpu=cortex-m4 pixels=() fail=0
case $case in
  pd_person_layers)   net=$models/person_detect.tflite in=$models/person.bmp sched=(layers) ram=64K ;;
  pd_noperson_layers) net=$models/person_detect.tflite in=$models/no_person.bmp sched=(layers) ram=64K ;;
  pd_person_patch)    net=$models/person_detect.tflite in=$models/person.bmp sched=(--best --budget 26K) ram=32K ;;
  pd_noperson_patch)  net=$models/person_detect.tflite in=$models/no_person.bmp sched=(--best --budget 26K) ram=32K ;;
  pd_person_patch_m7) net=$models/person_detect.tflite in=$models/person.bmp sched=(--best --budget 26K) ram=32K cpu=cortex-m7 ;;
  mbv2_224_patch)     net=nets/mobilenetv2-w1.0-r224.json in=gen sched=(--best --budget 248K --inplace-dw) ram=256K ;;
  mbv2_224_fused)     net=nets/mobilenetv2-w1.0-r224.json in=gen sched=(--fused --budget 248K --inplace-dw) ram=256K ;;
  mbv2_035_fused)     net=nets/mobilenetv2-w0.35-r144.json in=gen sched=(--fused --max-macs 1.1) ram=96K ;;
  # float32 input (128x160x3, outside the arena, read from flash) and float32 outputs
  te_float_patch)     net=$zoo/tinyengine_detection.tflite in=ppm sched=(--best --budget 64K) ram=64K ;;
  # every op of the wider set (tests/data/tflite/real_ops.tflite), random float32 bit patterns
  real_ops_in_arena)  net=tests/data/tflite/real_ops.tflite in=gen sched=(--float-input-in-arena) ram=16K ;;
  real_ops_fused)     net=tests/data/tflite/real_ops.tflite in=gen sched=(--fused) ram=16K ;;
  pd_ram_too_small)   net=$models/person_detect.tflite in=$models/person.bmp sched=(--best --budget 26K) ram=22K fail=1 ;;
  *) echo "unknown case $case"; exit 2 ;;
esac
if { [ "${net#$models}" != "$net" ] || [ "${net#$zoo}" != "$net" ]; } && [ ! -f "$net" ]; then
  echo "SKIP: $net not found (../shared)"; exit 77
fi
if [ "${sched[0]}" = layers ]; then  # the per-layer schedule, saved by plan
  "$memplan" plan "$net" -o "$scratch/layers.json" >/dev/null 2>&1 || { echo "plan failed"; exit 1; }
  grep -q '"kind": "tiled"' "$scratch/layers.json" && { echo "plan made a tiled schedule"; exit 1; }
  sched=(--schedule "$scratch/layers.json")
fi
if [ "$in" = gen ]; then  # a fixed pseudo-random input of the network's input size
  case $net in *r224*) bytes=150528 ;; *real_ops*) bytes=768 ;; *) bytes=62208 ;; esac  # H x W x 3 (x 4: float)
  LC_ALL=C awk -v n="$bytes" 'BEGIN { s = 12345; for (i = 0; i < n; i++) { s = (s * 1103515245 + 12345) % 2147483648; printf "%c", int(s / 65536) % 256 } }' >"$scratch/in.bin"
  [ "$(stat -c %s "$scratch/in.bin")" = "$bytes" ] || { echo "input generation failed"; exit 1; }
  in=$scratch/in.bin
elif [ "$in" = ppm ]; then  # a fixed pseudo-random 160x128 RGB image, pixel/255 for a float input
  { printf 'P6\n160 128\n255\n'
    LC_ALL=C awk -v n=61440 'BEGIN { s = 12345; for (i = 0; i < n; i++) { s = (s * 1103515245 + 12345) % 2147483648; printf "%c", int(s / 65536) % 256 } }'; } >"$scratch/in.ppm"
  [ "$(stat -c %s "$scratch/in.ppm")" = 61455 ] || { echo "input generation failed"; exit 1; }
  in=$scratch/in.ppm pixels=(--pixels quant)
else
  pixels=(--pixels raw)
fi
"$memplan" run "$net" --input "$in" "${pixels[@]}" --output "$scratch/run.bin" --json >/dev/null || { echo "memplan run failed"; exit 1; }
"$memplan" validate "$net" "${sched[@]}" --input "$in" "${pixels[@]}" --target $cpu --ram $ram \
    --target-output "$scratch/mcu.bin" --json --no-db >"$scratch/v.json" 2>"$scratch/err"
rc=$?
if [ $fail = 1 ]; then  # the arena + data + stack do not fit the RAM region: the link fails
  grep -q "region .RAM. overflowed" "$scratch/err" && [ $rc = 1 ] ||
      { echo "FAIL $case: expected a link failure, exit $rc"; cat "$scratch/err"; exit 1; }
  echo "$case: the link fails for RAM = $ram: $(grep -o "region .RAM. overflowed by [0-9]* bytes" "$scratch/err")"
  exit 0
fi
[ $rc = 0 ] || { echo "validate --target failed (exit $rc)"; cat "$scratch/err" "$scratch/v.json"; exit 1; }
if ! cmp "$scratch/run.bin" "$scratch/mcu.bin"; then
  echo "FAIL $case: the $cpu output differs from memplan run"; exit 1
fi
grep -q '"bit_exact": true, "outputs"' "$scratch/v.json" || { echo "FAIL $case: not bit-exact"; cat "$scratch/v.json"; exit 1; }
echo "$case: $cpu bit-exact with memplan run ($(stat -c %s "$scratch/run.bin") bytes)"
sed -n 's/.*"target": \({[^}]*}\).*/\1/p' "$scratch/v.json"
