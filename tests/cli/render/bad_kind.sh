$MEMPLAN render nets/mobilenetv1-w0.25-r96-gray.json --kind pie -o x.svg
