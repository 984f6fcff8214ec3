$MEMPLAN plan nets/mobilenetv2-w0.35-r144.json --patches 2x2
