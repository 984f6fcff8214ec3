# No schedule fits: the lowest-peak one is drawn, the miss is reported, exit 1.
$MEMPLAN render nets/mobilenetv1-w0.25-r96-gray.json --budget 1K --kind timeline -o "$SCRATCH/t.dot" 2>&1 | sed "s|$SCRATCH|SCRATCH|"
rc=${PIPESTATUS[0]}
grep -o 'label="budget 1.0 KiB[^"]*"' "$SCRATCH/t.dot"
exit $rc
