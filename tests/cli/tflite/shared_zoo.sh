# The real exports of ../shared/zoo (when present; the case prints the same either way):
# each imports with no unknown op, converts to net.json with identical figures, and has a
# patch schedule; TinyEngine's detector meets TinyEngine's own figures (per-layer with
# in-place depthwise <= 245,760 B, best patch <= 39,680 B) with its float input outside
# the arena and its 5 PADs folded.
dir="$ROOT/../shared/zoo"
[ -d "$dir" ] || { echo ok; exit 0; }
for f in "$dir"/*.tflite; do
  b=$(basename "$f" .tflite)
  $MEMPLAN convert "$f" -o "$SCRATCH/$b.json" || exit 1
  # the TFLM arena is predicted from a .tflite only: its object is left out
  x=$($MEMPLAN analyze --json "$f" | sed 's/"source": "[^"]*"//' | grep -v '"tflm":') || exit 2
  y=$($MEMPLAN analyze --json "$SCRATCH/$b.json" | sed 's/"source": "[^"]*"//' |
      grep -v '"tflm":') || exit 2
  [ "$x" = "$y" ] || { echo "$b: figures differ"; exit 3; }
  echo "$x" | grep -q '"unknown_ops": 0' || { echo "$b: unknown ops"; exit 4; }
  $MEMPLAN analyze "$f" | grep -q '^best  *patch-based' || { echo "$b: no patch schedule"; exit 5; }
done
out=$($MEMPLAN analyze --inplace-dw "$dir/tinyengine_detection.tflite") || exit 6
peak=$(echo "$out" | sed -n 's/^per-layer peak *\([0-9,]*\) B.*/\1/p' | tr -d ,)
patch=$(echo "$out" | sed -n 's/^best  *patch-based, peak \([0-9,]*\) B.*/\1/p' | tr -d ,)
[ -n "$peak" ] && [ "$peak" -le 245760 ] || { echo "per-layer $peak"; exit 7; }
[ -n "$patch" ] && [ "$patch" -le 39680 ] || { echo "patch $patch"; exit 8; }
echo "$out" | grep -q "^folded PADs      5 " || exit 9
echo "$out" | grep -q "outside the arena" || exit 10
echo ok
