$MEMPLAN run nets/mobilenetv1-w0.25-r96-gray.json --input tests/data/exec/tiny.ppm
