#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# zoo_rt.sh MEMPLAN ROOT - memplan_rt on real exports (issue 15): the recommended,
# fused and in-place schedules of every model of ../shared/zoo (float32 input
# outside the arena, float32 outputs, channel PAD, logistic, resize bilinear, ...)
# and of tests/data/tflite/real_ops.tflite (every op of the wider set), plus the
# float input held in the arena and streamed, must run bit-exact through the
# exported tables: `validate --json` reports "runtime": {"ran": true, "bit_exact": true}.
# The zoo models are skipped with a message when ../shared/zoo is absent
# (exit 77 when nothing was checked).
set -u
memplan=$1 root=$2
zoo="$root/../shared/zoo"
models=("$root/tests/data/tflite/real_ops.tflite")
if [ -d "$zoo" ]; then
  for m in tinyengine_detection blazeface_front_128 movenet_singlepose_192 hand_landmarks_full_224; do
    [ -f "$zoo/$m.tflite" ] && models+=("$zoo/$m.tflite") || echo "SKIP: $zoo/$m.tflite not found"
  done
else
  echo "SKIP: $zoo not found (the zoo models are not checked)"
fi
fail=0 n=0
for net in "${models[@]}"; do
  for opts in "" "--fused" "--inplace-dw" "--input stream --float-input-in-arena"; do
    # shellcheck disable=SC2086
    out=$("$memplan" validate "$net" $opts --no-db --json 2>&1)
    rc=$?
    n=$((n + 1))
    if [ $rc != 0 ] || ! echo "$out" | grep -q '"runtime": {"ran": true, "bit_exact": true'; then
      echo "FAIL $(basename "$net") $opts: exit $rc"; echo "$out" | head -5; fail=1
    else
      echo "ok $(basename "$net") ${opts:-(recommended)}: $(echo "$out" | grep -o '"runtime": {[^}]*}')"
    fi
  done
done
[ $n -gt 0 ] || exit 77
exit $fail
