# the same pixels as raw bytes, a PPM and a bottom-up 24-bit BMP give the same scores
raw=$($MEMPLAN run tests/data/exec/tiny.json --input tests/data/exec/tiny.bin --json)
ppm=$($MEMPLAN run tests/data/exec/tiny.json --input tests/data/exec/tiny.ppm --pixels minus128 --json)
bmp=$($MEMPLAN run tests/data/exec/tiny.json --input tests/data/exec/tiny.bmp --pixels quant --json)
[ "$raw" = "$ppm" ] && [ "$raw" = "$bmp" ] && echo same
