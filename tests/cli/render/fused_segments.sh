# A fused schedule drawn directly: every tiled segment is its own cluster,
# labelled with its grid and halo mode; the timeline and lifecycle draw too.
$MEMPLAN render nets/mobilenetv2-w0.35-r144.json --fused --max-macs 1.38x --input stream \
    -o "$SCRATCH/g.dot" 2>/dev/null || exit 3
grep -c 'subgraph cluster_stage' "$SCRATCH/g.dot"
grep -o 'label="patch stage: [^"]*' "$SCRATCH/g.dot" | sed 's/\\n.*//'
for k in timeline lifecycle; do
  $MEMPLAN render nets/mobilenetv2-w0.35-r144.json --fused --max-macs 1.38x --input stream \
      --kind $k -o "$SCRATCH/$k.svg" 2>/dev/null || exit 4
  head -c 5 "$SCRATCH/$k.svg"; echo
done
