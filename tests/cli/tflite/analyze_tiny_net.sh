# Every modelled op of a small CNN, from a .tflite written by tests/unit/tflite_writer.c.
$MEMPLAN analyze --no-patch tests/data/tflite/tiny_net.tflite
