# The timeline chart's texts (titles, legend, axes with units, ticks, level
# labels) and its shape counts, from the DOT; positions are left out.
$MEMPLAN render nets/mobilenetv1-w0.25-r96-gray.json --inplace-dw --budget 32K --kind timeline \
    -o "$SCRATCH/t.dot" 2>/dev/null || exit 3
grep -o 'label="[^"][^"]*"' "$SCRATCH/t.dot"
echo "per-layer bars: $(grep -c '^	bar_layer_' "$SCRATCH/t.dot")"
echo "schedule bars:  $(grep -c '^	bar_sched_' "$SCRATCH/t.dot")"
grep -c 'layout=nop2' "$SCRATCH/t.dot"
