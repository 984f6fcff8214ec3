$MEMPLAN export nets/mobilenetv2-w0.35-r144.json --format tflite -o "$SCRATCH/x.tflite"
