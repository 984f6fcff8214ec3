$MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json --fused --max-macs 1.1x --input stream --inplace-dw --max-grid 6 --no-patch | tail -3
