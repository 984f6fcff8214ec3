$MEMPLAN analyze --json tests/data/tflite/tiny_net.tflite
