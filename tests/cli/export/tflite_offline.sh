# --format tflite: the model with memplan's per-layer plan as TFLite Micro
# OfflineMemoryAllocation metadata; the rewritten model imports to the same
# network (hash) and its TFLM arena is predicted from the offline plan.
$MEMPLAN export tests/data/tflite/ops_net.tflite --format tflite -o "$SCRATCH/planned.tflite" |
  sed "s|$SCRATCH/||" || exit 1
a=$($MEMPLAN analyze --json --no-patch tests/data/tflite/ops_net.tflite | grep '"hash"') || exit 2
b=$($MEMPLAN analyze --json --no-patch "$SCRATCH/planned.tflite" | grep '"hash"') || exit 2
[ "$(echo "$a" | sed 's/.*"hash": "\([0-9a-f]*\)".*/\1/')" = \
  "$(echo "$b" | sed 's/.*"hash": "\([0-9a-f]*\)".*/\1/')" ] || { echo "hash differs"; exit 3; }
$MEMPLAN analyze --no-patch "$SCRATCH/planned.tflite" | sed -n '/^TFLM greedy/,/arena_used_bytes/p'
# exporting the exported model again replaces the entry (the earlier head stays behind,
# unreferenced)
$MEMPLAN export "$SCRATCH/planned.tflite" --format tflite -o "$SCRATCH/again.tflite" >/dev/null || exit 4
[ "$(wc -c <"$SCRATCH/planned.tflite")" -lt "$(wc -c <"$SCRATCH/again.tflite")" ] || exit 5
