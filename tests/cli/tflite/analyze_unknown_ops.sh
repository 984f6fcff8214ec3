# Ops memplan does not model are reported by index and name; the analysis still runs.
$MEMPLAN analyze --no-patch tests/data/tflite/unknown_ops.tflite
