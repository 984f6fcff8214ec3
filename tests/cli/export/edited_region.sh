$MEMPLAN plan nets/mobilenetv2-w0.35-r144.json --split b2_project --patches 2x2 -o "$SCRATCH/s.json" >/dev/null 2>&1 || exit 3
sed -i '0,/"rows": \[\[0, /s//"rows": [[2, /' "$SCRATCH/s.json"
$MEMPLAN export nets/mobilenetv2-w0.35-r144.json --schedule "$SCRATCH/s.json" -o "$SCRATCH" 2>&1 | sed "s|$SCRATCH|SCRATCH|"
exit ${PIPESTATUS[0]}
