# Issue 18 item 6: a 70,000-wide input is exported as 70000 (int32_t fields; it
# was truncated to 4464 in a uint16_t), in the schedule tables and the runtime's.
f=tests/data/export/export_uint16_wide_signal.json
$MEMPLAN plan $f -o "$SCRATCH/s.json" >/dev/null 2>&1 || exit 3
$MEMPLAN export $f --schedule "$SCRATCH/s.json" -o "$SCRATCH/out" --prefix w >/dev/null || exit 4
grep -F '{"input", 1, 70000, 1, 1}' "$SCRATCH/out/w.c"
grep -F '/* input */' "$SCRATCH/out/w_model.c"
cc -std=c99 -Wall -Wextra -Werror -pedantic -I"$SCRATCH/out" -c "$SCRATCH/out/w.c" -o "$SCRATCH/w.o" || exit 5
