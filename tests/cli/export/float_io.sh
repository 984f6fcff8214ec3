# A float32 input (outside the arena) and float32/int8 outputs: the package header names
# each one's type and element size, and the tables compile as C99 (issue 15, format 2).
f=tests/data/tflite/real_ops.tflite
$MEMPLAN plan $f -o "$SCRATCH/s.json" >/dev/null 2>&1 || exit 3
$MEMPLAN export $f --schedule "$SCRATCH/s.json" -o "$SCRATCH/out" --prefix ro >/dev/null || exit 4
grep -E "^/\* (INPUT|OUTPUT) [0-9]|_TYPE_|_ELEMENT_BYTES|_INPUT_BYTES|_OUTPUT_BYTES|FORMAT" "$SCRATCH/out/ro_model.h"
grep -o "static const mprt_convert [a-z0-9_]* = {[^}]*}" "$SCRATCH/out/ro_model.c"
for src in "$SCRATCH"/out/ro_model.c "$SCRATCH"/out/memplan_rt/*.c; do
  cc -std=c99 -Wall -Wextra -Werror -pedantic -I"$SCRATCH/out" -I"$SCRATCH/out/memplan_rt/include" \
      -c "$src" -o "$SCRATCH/rt.o" || exit 5
done
