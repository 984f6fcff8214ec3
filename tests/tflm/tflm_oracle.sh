#!/bin/sh
# SPDX-License-Identifier: MIT
# memplan's TFLite Micro arena prediction and --format tflite export against
# TFLM itself (tflm_runner, ../shared/tools/tflm): for every model of
# ../shared/models and ../shared/zoo, and for one-operator models written by
# gen_tflm_ops (each modelled kernel alone)
#   - the host figure equals TFLM's arena_used_bytes exactly;
#   - TFLM allocates with --arena-bytes set to memplan's arena_bytes_host, and
#     fails with 16 bytes less than TFLM's own figure (tflm_runner rounds
#     --arena-bytes up to a multiple of 16, so one byte less is the same arena);
#   - the exported .tflite (memplan's plan as OfflineMemoryAllocation) gives
#     byte-identical outputs and never needs a larger arena; vww_96_int8 needs
#     at least 18 KiB less.
# Only TFLM's own AllocateTensors counts: the runner's second, recording pass
# (RecordingMicroAllocator is 208 bytes larger) is not the user's arena.
# usage: tflm_oracle.sh MEMPLAN ROOT GEN_TFLM_OPS
memplan=$1
root=$2
gen=$3
runner=$root/../shared/tools/tflm/tflm_runner
if [ ! -x "$runner" ]; then
    echo "SKIP: $runner not found (TFLite Micro's reference interpreter)"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/ops" && "$gen" "$tmp/ops" || { echo "FAIL: gen_tflm_ops"; exit 1; }
fail=0
n=0

json_field() { # FILE KEY -> the first number after "KEY":
    sed -n "s/.*\"$2\": *\([0-9]*\).*/\1/p" "$1" | head -n 1
}

# 0 when TFLM's (non-recording) AllocateTensors succeeded with an arena of $3 bytes
alloc_ok() {
    "$runner" "$1" "$2" "$tmp/o.bin" --arena-bytes "$3" >/dev/null 2>"$tmp/err"
    rc=$?
    [ $rc -eq 0 ] && return 0
    grep -q 'AllocateTensors failed (recording pass)' "$tmp/err"
}

for model in "$root"/../shared/models/*.tflite "$root"/../shared/zoo/*.tflite "$tmp"/ops/*.tflite; do
    [ -f "$model" ] || continue
    name=$(basename "$model" .tflite)
    n=$((n + 1))
    bytes=$("$runner" "$model" - - --info | sed -n 's/.*"inputs":\[\(.*\)\],"outputs".*/\1/p' |
            tr ',' '\n' | sed -n 's/"bytes":\([0-9]*\)/\1/p' | awk '{s+=$1} END {print s}')
    head -c "$bytes" /dev/urandom >"$tmp/in.bin"
    "$runner" "$model" "$tmp/in.bin" "$tmp/ref.bin" >"$tmp/ref.json" 2>/dev/null || {
        echo "FAIL $name: tflm_runner failed"; fail=1; continue; }
    used=$(json_field "$tmp/ref.json" arena_used_bytes)
    "$memplan" analyze "$model" --no-patch --json >"$tmp/a.json" || {
        echo "FAIL $name: memplan analyze failed"; fail=1; continue; }
    host_used=$(sed -n 's/.*"host": {[^}]*"arena_used_bytes": \([0-9]*\).*/\1/p' "$tmp/a.json")
    host=$(json_field "$tmp/a.json" arena_bytes_host)
    mcu=$(json_field "$tmp/a.json" arena_bytes_mcu)
    if [ "$host_used" != "$used" ]; then
        echo "FAIL $name: predicted arena_used_bytes $host_used, TFLM $used"; fail=1
    fi
    if ! alloc_ok "$model" "$tmp/in.bin" "$host"; then
        echo "FAIL $name: TFLM does not allocate in the predicted $host bytes"; fail=1
    fi
    if alloc_ok "$model" "$tmp/in.bin" $((used - 16)); then
        echo "FAIL $name: TFLM allocates in $((used - 16)) bytes, below its own figure"; fail=1
    fi
    "$memplan" export "$model" --format tflite -o "$tmp/off.tflite" >/dev/null || {
        echo "FAIL $name: export --format tflite failed"; fail=1; continue; }
    "$runner" "$tmp/off.tflite" "$tmp/in.bin" "$tmp/off.bin" >"$tmp/off.json" 2>/dev/null || {
        echo "FAIL $name: tflm_runner rejects the exported model"; fail=1; continue; }
    off_used=$(json_field "$tmp/off.json" arena_used_bytes)
    cmp -s "$tmp/ref.bin" "$tmp/off.bin" || { echo "FAIL $name: exported outputs differ"; fail=1; }
    if [ "$off_used" -gt "$used" ]; then
        echo "FAIL $name: exported model needs $off_used B, original $used B"; fail=1
    fi
    "$memplan" analyze "$tmp/off.tflite" --no-patch --json >"$tmp/b.json"
    off_pred=$(sed -n 's/.*"host": {[^}]*"arena_used_bytes": \([0-9]*\).*/\1/p' "$tmp/b.json")
    if [ "$off_pred" != "$off_used" ]; then
        echo "FAIL $name: exported model predicted $off_pred B, TFLM $off_used B"; fail=1
    fi
    if [ "$name" = vww_96_int8 ] && [ $((used - off_used)) -lt 18432 ]; then
        echo "FAIL $name: exported arena only $((used - off_used)) B smaller (want >= 18 KiB)"
        fail=1
    fi
    echo "$name: TFLM $used B = predicted host $host_used B (set $host), Cortex-M $mcu B;" \
         "exported plan $off_used B"
done
exit $fail
