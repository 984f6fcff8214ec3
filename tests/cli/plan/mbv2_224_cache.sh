$MEMPLAN plan nets/mobilenetv2-w1.0-r224.json --split b7_project --patches 8x7 --cuts balanced --halo cache --input stream --inplace-dw --summary
