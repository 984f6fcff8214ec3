# plan -o then validate --schedule: the saved offsets are what runs
$MEMPLAN plan nets/mobilenetv2-w0.35-r144.json --split b4_project --patches 3x3 --halo cache \
    --inplace-dw --input stream -o "$SCRATCH/s.json" >/dev/null 2>&1 || exit 3
$MEMPLAN validate nets/mobilenetv2-w0.35-r144.json --schedule "$SCRATCH/s.json" | sed "s|$SCRATCH|SCRATCH|"
