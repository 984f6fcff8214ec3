# analyze --fused --render draws the fused schedule it recommends, not the
# single-stage one: the graph has one cluster per tiled segment.
$MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json --fused --max-macs 1.38x --input stream \
    --no-db --render "$SCRATCH/pics" >/dev/null 2>&1 || exit 3
grep -c '<title>cluster_stage' "$SCRATCH/pics/graph.svg"
