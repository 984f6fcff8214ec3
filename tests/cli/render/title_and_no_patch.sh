# --title replaces the default title; --no-patch draws the per-layer schedule
# (no patch stage band, the two series are the same schedule).
$MEMPLAN render nets/mobilenetv1-w0.25-r96-gray.json --no-patch --title "MobileNetV1 0.25, per layer" \
    --kind timeline -o "$SCRATCH/t.dot" 2>/dev/null || exit 3
grep -o 'label="MobileNetV1[^"]*"' "$SCRATCH/t.dot"
grep -o 'label="this schedule[^"]*"' "$SCRATCH/t.dot"
echo "patch stage mentions: $(grep -c 'patch stage' "$SCRATCH/t.dot")"
