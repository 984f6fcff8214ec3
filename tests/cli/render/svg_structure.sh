# SVG output is well-formed XML with one node group per op (graph) or per shape (charts).
for kind in graph timeline lifecycle; do
  $MEMPLAN render nets/mobilenetv1-w0.25-r96-gray.json --inplace-dw --kind $kind -o "$SCRATCH/$kind.svg" 2>/dev/null || exit 3
  xmllint --noout "$SCRATCH/$kind.svg" || exit 4
  echo "$kind: <svg> $(grep -c '^<svg' "$SCRATCH/$kind.svg"), nodes $(grep -c 'class="node"' "$SCRATCH/$kind.svg"), clusters $(grep -c 'class="cluster"' "$SCRATCH/$kind.svg")"
done
grep -c '<title>b4_dw</title>' "$SCRATCH/graph.svg"
