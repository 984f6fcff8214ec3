# The JSON document carries the documented keys with the expected figures.
$MEMPLAN analyze --json --inplace-dw nets/mobilenetv2-w1.0-r224.json >"$SCRATCH/a.json" || exit 1
grep -q '"per_layer": {"peak_bytes": 1404928, "peak_step": 3' "$SCRATCH/a.json" || exit 3
grep -q '"macs": 300774272' "$SCRATCH/a.json" || exit 4
echo ok
