#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# oracle.sh MEMPLAN ROOT N [MODEL...] - `memplan run` against TensorFlow Lite Micro's
# reference interpreter (ROOT/../shared/tools/tflm/tflm_runner) on N seeded random
# inputs per model; by default every .tflite of ROOT/../shared/models and
# ROOT/../shared/zoo. Inputs: int8/uint8 bytes uniform; float32 uniform over the
# input's QUANTIZE range (tflm_runner --info "quant_range") widened by 10% on each side.
# Seeds 1..N, so a run is reproducible. Prints one line per model:
#   MODEL: K/N byte-identical
# and the first differing input's seed. Exit 0 when every input of every model is
# byte-identical, 1 otherwise, 77 (skip) without the oracle, python3 or the models.
set -u
memplan=$1 root=$2 n=$3
shift 3
tflm="$root/../shared/tools/tflm/tflm_runner"
if [ ! -x "$tflm" ]; then
  echo "skipped: $tflm is absent (../shared missing)"; exit 77
fi
if ! command -v python3 >/dev/null; then
  echo "skipped: python3 (for seeded inputs) is absent"; exit 77
fi
models=("$@")
if [ ${#models[@]} -eq 0 ]; then
  for m in "$root"/../shared/models/*.tflite "$root"/../shared/zoo/*.tflite; do
    [ -e "$m" ] && models+=("$m")
  done
fi
[ ${#models[@]} -gt 0 ] || { echo "skipped: no models under ../shared"; exit 77; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail=0
for m in "${models[@]}"; do
  "$tflm" "$m" - - --info >"$scratch/info.json" || { echo "$m: tflm_runner --info failed"; fail=1; continue; }
  # all N inputs at once: in.SEED.bin
  python3 - "$scratch/info.json" "$scratch" "$n" <<'PY'
import json, random, struct, sys
info = json.load(open(sys.argv[1]))["info"]
for seed in range(1, int(sys.argv[3]) + 1):
    r = random.Random(seed)
    out = bytearray()
    for t in info["inputs"]:
        if t["type"] == "FLOAT32":
            lo, hi = t.get("quant_range", [-1.0, 1.0])
            w = (hi - lo) * 0.1
            k = t["bytes"] // 4
            out += struct.pack("<%df" % k, *[r.uniform(lo - w, hi + w) for _ in range(k)])
        else:
            out += bytes(r.getrandbits(8) for _ in range(t["bytes"]))
    open("%s/in.%d.bin" % (sys.argv[2], seed), "wb").write(out)
PY
  same=0 first=""
  for seed in $(seq 1 "$n"); do
    in="$scratch/in.$seed.bin"
    "$tflm" "$m" "$in" "$scratch/want.bin" >/dev/null 2>"$scratch/err" ||
      { echo "$m: tflm_runner failed on seed $seed: $(head -1 "$scratch/err")"; break; }
    if ! $memplan run "$m" --input "$in" --output "$scratch/got.bin" >/dev/null 2>"$scratch/err"; then
      echo "$m: memplan run failed on seed $seed: $(head -1 "$scratch/err")"; break
    fi
    if cmp -s "$scratch/want.bin" "$scratch/got.bin"; then
      same=$((same + 1))
    elif [ -z "$first" ]; then
      first=$seed
    fi
  done
  echo "$(basename "$m"): $same/$n byte-identical${first:+ (first difference: seed $first)}"
  [ "$same" -eq "$n" ] || fail=1
done
exit $fail
