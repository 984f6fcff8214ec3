# A split whose second output has another type than the first (a fuzzer's mutation of
# real_ops.tflite: part1 is float32): convert writes its "dtype" in more_outputs, so the
# net.json imports back as the same network (hash).
f=tests/data/fuzz/tflite_split_output_dtype.tflite
$MEMPLAN convert "$f" -o "$SCRATCH/s.json" >/dev/null || exit 1
grep -o '"more_outputs": \[{"name": "part1", "dtype": "[a-z0-9]*"' "$SCRATCH/s.json"
a=$($MEMPLAN analyze --no-db --json --no-patch "$f" | grep -o '"hash": "[0-9a-f]*"')
b=$($MEMPLAN analyze --no-db --json --no-patch "$SCRATCH/s.json" | grep -o '"hash": "[0-9a-f]*"')
[ "$a" = "$b" ] && echo "same hash"
sed 's/"part1", "dtype": "float32"/"part1", "dtype": "float13"/' "$SCRATCH/s.json" >"$SCRATCH/bad.json"
$MEMPLAN analyze --no-db "$SCRATCH/bad.json" 2>&1 | sed "s|$SCRATCH/||"; echo "exit ${PIPESTATUS[0]}"
