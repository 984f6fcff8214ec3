$MEMPLAN plan nets/mobilenetv1-w0.25-r96-gray.json --split b1_pw --patches 3x2 --cuts 0,10,30,48:0,20,48 --halo cache --json
