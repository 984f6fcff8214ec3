$MEMPLAN render nets/mobilenetv2-w0.35-r144.json --no-patch --fused -o x.dot
