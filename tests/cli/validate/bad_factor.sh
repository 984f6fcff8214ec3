$MEMPLAN validate nets/mobilenetv2-w0.35-r144.json --fused --max-macs 0.5x
