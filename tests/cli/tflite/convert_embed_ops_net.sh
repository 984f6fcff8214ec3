$MEMPLAN convert --embed-weights tests/data/tflite/ops_net.tflite
