$MEMPLAN plan nets/mobilenetv2-w0.35-r144.json --split conv1 --patches 2x2 --cuts 0,5:0,72
