# The real int8 models of ../shared/models (when present; the case prints the same either
# way): each imports, analyzes, converts to net.json with identical figures, and
# person_detect's TFLM arena is below the 136 KiB TFLite Micro's own test uses, with the
# per-layer peak not above it.
dir="$ROOT/../shared/models"
[ -d "$dir" ] || { echo ok; exit 0; }
for f in "$dir"/*.tflite; do
  b=$(basename "$f" .tflite)
  $MEMPLAN convert "$f" -o "$SCRATCH/$b.json" || exit 1
  x=$($MEMPLAN analyze --json "$f" | sed 's/"source": "[^"]*"//' | grep -v '^  "tflm": ') || exit 2
  y=$($MEMPLAN analyze --json "$SCRATCH/$b.json" | sed 's/"source": "[^"]*"//' |
      grep -v '^  "tflm": ') || exit 2
  [ "$x" = "$y" ] || { echo "$b: figures differ"; exit 3; }
done
out=$($MEMPLAN analyze "$dir/person_detect.tflite") || exit 4
peak=$(echo "$out" | sed -n 's/^per-layer peak *\([0-9,]*\) B.*/\1/p' | tr -d ,)
tflm=$(echo "$out" | sed -n 's/^TFLM greedy *\([0-9,]*\) B.*/\1/p' | tr -d ,)
echo "$out" | grep -q '^ops *31$' || exit 5
[ -n "$peak" ] && [ -n "$tflm" ] && [ "$tflm" -lt 139264 ] && [ "$peak" -le "$tflm" ] || exit 6
echo ok
