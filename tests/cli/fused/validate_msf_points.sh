# The schedules compared with msf-CNN (MobileNetV2 0.35 @144, input streamed,
# grids up to 24x24) at MAC factors 1.10, 1.38 and 1.68 run bit-exact inside
# their planned arenas.
for f in 1.10x 1.38x 1.68x; do
  $MEMPLAN validate nets/mobilenetv2-w0.35-r144.json --fused --max-macs $f --input stream \
      --max-grid 24 > "$SCRATCH/out" 2>&1 || { cat "$SCRATCH/out"; exit 3; }
  echo "$f: $(grep -E '^arena' "$SCRATCH/out")"
  grep -E '^bit-exact' "$SCRATCH/out"
done
