$MEMPLAN analyze --align x nets/mobilenetv2-w0.35-r144.json
