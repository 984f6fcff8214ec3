exec $MEMPLAN validate nets/mobilenetv1-w0.25-r96-gray.json --target cortex-m0 --no-db
