$MEMPLAN plan nets/mobilenetv2-w0.35-r144.json -o "$SCRATCH/s.json" >/dev/null 2>&1 || exit 3
$MEMPLAN export nets/mobilenetv2-w0.35-r144.json --schedule "$SCRATCH/s.json" --prefix 1x -o "$SCRATCH"
