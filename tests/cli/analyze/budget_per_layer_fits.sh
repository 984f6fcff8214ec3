$MEMPLAN analyze --budget 2M nets/mobilenetv2-w0.35-r144.json
