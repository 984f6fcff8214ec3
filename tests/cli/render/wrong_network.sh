$MEMPLAN plan nets/mobilenetv2-w0.35-r144.json -o "$SCRATCH/s.json" >/dev/null 2>&1 || exit 3
$MEMPLAN render nets/mobilenetv1-w0.25-r96-gray.json --schedule "$SCRATCH/s.json" -o "$SCRATCH/x.svg" 2>&1 | sed "s|$SCRATCH|SCRATCH|"
exit ${PIPESTATUS[0]}
