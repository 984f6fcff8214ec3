# Weights are referenced from the .tflite, by a path relative to the output (here: stdout, so cwd).
$MEMPLAN convert tests/data/tflite/tiny_net.tflite
