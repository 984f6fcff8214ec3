# A schedule whose buffers were moved to overlap is refused by export.
$MEMPLAN plan nets/mobilenetv2-w0.35-r144.json -o "$SCRATCH/s.json" >/dev/null 2>&1 || exit 3
sed -i '0,/"offset": [0-9]*/s//"offset": 5/' "$SCRATCH/s.json"
$MEMPLAN export nets/mobilenetv2-w0.35-r144.json --schedule "$SCRATCH/s.json" -o "$SCRATCH" 2>&1 | sed "s|$SCRATCH|SCRATCH|"
exit ${PIPESTATUS[0]}
