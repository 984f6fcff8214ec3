$MEMPLAN analyze --max-grid 0 nets/mobilenetv2-w0.35-r144.json
