$MEMPLAN plan nets/mobilenetv2-w0.35-r144.json --split nope --patches 2x2
