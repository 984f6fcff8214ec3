# A .tflite and its net.json (weights referenced or embedded) give identical figures
# (TFLite Micro's whole arena is predicted from the .tflite only: its lines are left out).
for m in tiny_net ops_net real_ops; do
  $MEMPLAN convert tests/data/tflite/$m.tflite -o "$SCRATCH/$m.json" || exit 1
  $MEMPLAN convert --embed-weights tests/data/tflite/$m.tflite -o "$SCRATCH/${m}_e.json" || exit 1
  grep -q '"weights_file": ".*tests/data/tflite/'$m'.tflite"' "$SCRATCH/$m.json" || exit 2
  for f in tests/data/tflite/$m.tflite "$SCRATCH/$m.json" "$SCRATCH/${m}_e.json"; do
    $MEMPLAN analyze "$f" | grep -v '^network \|^file ' | awk '/^TFLM arena/ { skip = 1; next } skip && /^                 / { next } { skip = 0; print }' \
      >"$SCRATCH/a.txt" || exit 3
    $MEMPLAN analyze --json "$f" | sed 's/"source": "[^"]*"//' | grep -v '^  "tflm": ' \
      >"$SCRATCH/a.json" || exit 3
    if [ -f "$SCRATCH/ref.txt" ]; then
      cmp -s "$SCRATCH/ref.txt" "$SCRATCH/a.txt" || { echo "$f: analyze differs"; exit 4; }
      cmp -s "$SCRATCH/ref.json" "$SCRATCH/a.json" || { echo "$f: analyze --json differs"; exit 5; }
    else
      mv "$SCRATCH/a.txt" "$SCRATCH/ref.txt"
      mv "$SCRATCH/a.json" "$SCRATCH/ref.json"
    fi
  done
  rm -f "$SCRATCH/ref.txt" "$SCRATCH/ref.json"
  echo "$m: identical"
done
