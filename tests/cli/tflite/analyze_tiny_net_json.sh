# --no-patch: these cases are about the import; the patch search has its own tests.
$MEMPLAN analyze --no-patch --json tests/data/tflite/tiny_net.tflite
