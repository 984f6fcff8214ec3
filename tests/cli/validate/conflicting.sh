$MEMPLAN validate nets/mobilenetv2-w0.35-r144.json --best --split conv1 --patches 2x2
