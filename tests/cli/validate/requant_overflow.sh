# issue 18 item 5: validate refuses the model instead of reporting "bit-exact".
$MEMPLAN validate tests/data/exec/exec_conv_requant_overflow_min.tflite --no-db
