$MEMPLAN render nets/mobilenetv1-w0.25-r96-gray.json --schedule does-not-exist.json -o "$SCRATCH/x.svg"
