$MEMPLAN sweep nets/mobilenetv1-w0.25-r96-gray.json --mcus all --catalog tests/data/catalogs/bad_size.json
