$MEMPLAN validate nets/mobilenetv2-w0.35-r144.json --max-stages 2
