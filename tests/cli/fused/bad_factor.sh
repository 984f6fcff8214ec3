$MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json --max-macs 0.9x
