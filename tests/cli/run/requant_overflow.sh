# issue 18 item 5: a weight scale of 5e10 makes a multiplier of 8.4e10 (shift 37), which
# TFLite's MultiplyByQuantizedMultiplier cannot compute: refused at load, naming the op.
head -c 490 /dev/zero >"$SCRATCH/in.bin"
$MEMPLAN run tests/data/exec/exec_conv_requant_overflow_min.tflite --input "$SCRATCH/in.bin"
