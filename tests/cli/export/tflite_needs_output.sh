$MEMPLAN export tests/data/tflite/ops_net.tflite --format tflite
