$MEMPLAN plan nets/mobilenetv2-w1.0-r224.json --split b4_project --patches 3x3 --input stream --inplace-dw --summary
