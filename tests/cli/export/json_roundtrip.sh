# export --format json rewrites the schedule identically.
$MEMPLAN plan nets/mobilenetv2-w0.35-r144.json --best --inplace-dw -o "$SCRATCH/s.json" >/dev/null 2>&1 || exit 3
$MEMPLAN export nets/mobilenetv2-w0.35-r144.json --schedule "$SCRATCH/s.json" --format json \
    --prefix again -o "$SCRATCH" >/dev/null || exit 4
cmp "$SCRATCH/s.json" "$SCRATCH/again.json" && echo identical
