$MEMPLAN analyze --inplace-dw --input stream --pareto nets/mobilenetv2-w1.0-r224.json
