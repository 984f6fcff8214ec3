# The lifecycle chart: one rectangle per buffer of the saved schedule (plan -o),
# its texts, and a tooltip per buffer naming tensor, bytes, offset and steps.
$MEMPLAN plan nets/mobilenetv1-w0.25-r96-gray.json --best --inplace-dw -o "$SCRATCH/s.json" >/dev/null 2>&1 || exit 3
$MEMPLAN render nets/mobilenetv1-w0.25-r96-gray.json --schedule "$SCRATCH/s.json" --kind lifecycle \
    -o "$SCRATCH/l.gv" 2>/dev/null || exit 4
grep -o 'label="[^"][^"]*"' "$SCRATCH/l.gv"
echo "buffers: $(grep -c '^	buffer_' "$SCRATCH/l.gv")"
grep -o 'tooltip="[^"]*"' "$SCRATCH/l.gv" | grep -m3 offset
