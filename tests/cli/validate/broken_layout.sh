# Two live region buffers moved onto one offset: validate runs it and reports the mismatch.
$MEMPLAN plan nets/mobilenetv2-w0.35-r144.json --split b6_add --patches 4x4 --halo cache \
    --inplace-dw --input stream -o "$SCRATCH/s.json" >/dev/null 2>&1 || exit 3
off=$(grep -o '"kind": "region", "tensor": "input"[^}]*"offset": [0-9]*' "$SCRATCH/s.json" | grep -o '[0-9]*$')
sed -i "s/\(\"kind\": \"region\", \"tensor\": \"conv1\"[^}]*\"offset\": \)[0-9]*/\1$off/" "$SCRATCH/s.json"
$MEMPLAN validate nets/mobilenetv2-w0.35-r144.json --schedule "$SCRATCH/s.json" 2>&1 | sed "s|$SCRATCH|SCRATCH|"
exit ${PIPESTATUS[0]}
