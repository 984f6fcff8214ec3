$MEMPLAN analyze --budget 12Q nets/mobilenetv2-w0.35-r144.json
