$MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json --fused --max-stages 1 --max-grid 4 --no-patch | tail -2
