$MEMPLAN analyze --budget 10K nets/mobilenetv2-w0.35-r144.json
