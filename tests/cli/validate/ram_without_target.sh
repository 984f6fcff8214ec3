exec $MEMPLAN validate nets/mobilenetv1-w0.25-r96-gray.json --ram 32K --no-db
