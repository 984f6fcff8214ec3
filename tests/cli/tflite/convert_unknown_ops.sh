$MEMPLAN convert tests/data/tflite/unknown_ops.tflite -o "$SCRATCH/x.json"
