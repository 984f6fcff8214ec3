$MEMPLAN validate nets/mobilenetv1-w0.25-r96-gray.json --split b4_dw --patches 3x5 --cuts balanced --halo cache --input stream --json
