# --max-block N: only blocks of at most N steps (fewer blocks examined, every tiled segment
# on the front at most N steps long); 0 is refused
$MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json --fused --max-block 6 --inplace-dw --input stream \
    --no-db --json | grep -o '"fused": {"blocks": [0-9]*'
$MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json --fused --max-block 6 --inplace-dw --input stream \
    --no-db | grep -E '^ +[0-9,]+ B .*tiled' | grep -oE '[0-9]+\.\.[0-9]+' |
    awk -F'\.\.' '{ n = $2 - $1 + 1; if (n > m) m = n } END { print "longest tiled segment", m }'
$MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json --fused --inplace-dw --input stream --no-db --json |
    grep -o '"fused": {"blocks": [0-9]*'
$MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json --max-block 0 2>&1
echo "exit $?"
