# No fused schedule fits 4,000 B: analyze says so, shows the closest, exits 1.
$MEMPLAN analyze nets/mobilenetv1-w0.25-r96-gray.json --fused --budget 4000 --no-patch --no-db \
    > "$SCRATCH/out"
rc=$?
tail -2 "$SCRATCH/out"
exit $rc
