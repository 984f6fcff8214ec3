# 65,536 per-channel scales, zero points and requantization entries (the
# limit) read in linear time: this 1.5 MB net.json took 12 s of CPU when the
# lists were indexed element by element (quadratic); now well under a second.
list() { yes "$1" | head -n 65536 | paste -sd, -; }
{
  printf '{"format": "memplan-net", "version": 1, "input": {"shape": [1, 1, 8]}, "layers": ['
  printf '{"name": "c", "op": "conv2d", "filters": 65536, "kernel": 1, "weights": {"quant": '
  printf '{"scale": [%s], "zero_point": [%s]}}, ' "$(list 0.5)" "$(list 0)"
  printf '"requant": {"multiplier": [%s], "shift": [%s]}}]}\n' "$(list 1073741824)" "$(list 0)"
} >"$SCRATCH/lists.json"
timeout $((${MEMPLAN_SANITIZED:+10*}8)) $MEMPLAN analyze --no-db --no-patch "$SCRATCH/lists.json" >/dev/null
echo "exit $?"
