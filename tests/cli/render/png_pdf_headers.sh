# PNG: the signature, then IHDR with the width and height (the charts' canvas
# at 96 dpi, independent of fonts); PDF: its header.
for kind in timeline lifecycle; do
  $MEMPLAN render nets/mobilenetv1-w0.25-r96-gray.json --inplace-dw --kind $kind -o "$SCRATCH/$kind.png" 2>/dev/null || exit 3
  od -An -tx1 -N24 "$SCRATCH/$kind.png"
done
$MEMPLAN render nets/mobilenetv1-w0.25-r96-gray.json --kind graph -o "$SCRATCH/g.png" 2>/dev/null || exit 4
od -An -tx1 -N16 "$SCRATCH/g.png"
$MEMPLAN render nets/mobilenetv1-w0.25-r96-gray.json --kind lifecycle -o "$SCRATCH/l.pdf" 2>/dev/null || exit 5
head -c 5 "$SCRATCH/l.pdf"; echo
