$MEMPLAN analyze --json --input stream --inplace-dw --max-grid 4 nets/mobilenetv1-w0.25-r96-gray.json
