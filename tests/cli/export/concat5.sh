# Issue 15: a 5-input concat is exported with its 5 input buffers (it had 4 slots).
f=tests/data/rt/allops.json
$MEMPLAN plan $f -o "$SCRATCH/s.json" >/dev/null 2>&1 || exit 3
$MEMPLAN export $f --schedule "$SCRATCH/s.json" -o "$SCRATCH/out" --prefix a >/dev/null || exit 4
grep -F '{"cat", ' "$SCRATCH/out/a.c" | grep -F '_in,' | awk -F', ' '{print "n_inputs", $6}'
n=$(grep -F '{"cat", ' "$SCRATCH/out/a.c" | grep -F '_in,' | sed 's/.*\(a_op[0-9]*_in\).*/\1/')
grep -F "static const int32_t ${n}[5]" "$SCRATCH/out/a.c" | sed 's/a_op[0-9]*_in/a_opN_in/'
