# --jobs: the fused search in 1 and 3 threads gives the same document (candidates are
# gathered in the same order whatever thread built them); --jobs needs --fused
$MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json --fused --jobs 1 --no-db --json >"$SCRATCH/1.json"
$MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json --fused --jobs 3 --no-db --json >"$SCRATCH/3.json"
cmp "$SCRATCH/1.json" "$SCRATCH/3.json" && echo same
$MEMPLAN plan nets/mobilenetv2-w0.35-r144.json --jobs 2 2>&1
echo "exit $?"
$MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json --fused --jobs 0 2>&1
echo "exit $?"
