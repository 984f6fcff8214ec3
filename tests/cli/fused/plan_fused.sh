$MEMPLAN plan nets/mobilenetv2-w0.35-r144.json --fused --max-macs 1.05x --input stream --max-grid 4 --summary | head -6
