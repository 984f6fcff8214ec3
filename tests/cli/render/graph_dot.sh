# The network graph as DOT (the graph before layout): one node per op with its
# output shape and live bytes, the patch stage a cluster. Deterministic bytes.
$MEMPLAN render nets/mobilenetv1-w0.25-r96-gray.json --inplace-dw -o "$SCRATCH/g.dot" 2>/dev/null || exit 3
cat "$SCRATCH/g.dot"
