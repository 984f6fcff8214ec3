$MEMPLAN render nets/mobilenetv1-w0.25-r96-gray.json -o does/not/exist/x.dot
