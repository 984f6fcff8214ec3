# quantize, resize nearest, mul, depthwise with multiplier 2 and dilation 2, dequantize
$MEMPLAN analyze --no-patch tests/data/tflite/ops_net.tflite
