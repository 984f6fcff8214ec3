$MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json --budget 0
