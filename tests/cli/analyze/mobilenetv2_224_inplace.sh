$MEMPLAN analyze --inplace-dw nets/mobilenetv2-w1.0-r224.json
