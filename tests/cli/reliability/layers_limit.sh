# A net.json with more layers than MP_MAX_OPS (100,000) is refused before any
# layer is read.
{
  printf '{"format": "memplan-net", "version": 1, "input": {"shape": [4, 4, 1]}, "layers": [\n'
  yes '{},' | head -n 100000
  printf '{}]}\n'
} >"$SCRATCH/many.json"
$MEMPLAN analyze --no-db "$SCRATCH/many.json" 2>&1 | sed "s|$SCRATCH|SCRATCH|"
exit ${PIPESTATUS[0]}
