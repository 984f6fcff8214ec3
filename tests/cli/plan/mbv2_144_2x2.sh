$MEMPLAN plan nets/mobilenetv2-w0.35-r144.json --split b2_project --patches 2x2
