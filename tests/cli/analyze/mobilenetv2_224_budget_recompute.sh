$MEMPLAN analyze --inplace-dw --input stream --halo recompute --budget 256K nets/mobilenetv2-w1.0-r224.json
