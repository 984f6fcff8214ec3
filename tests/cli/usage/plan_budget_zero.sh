$MEMPLAN plan nets/mobilenetv2-w0.35-r144.json --best --budget 0kb
