$MEMPLAN validate nets/mobilenetv2-w0.35-r144.json --input does-not-exist.bin
