# --order best on the bundled DARTS-V2 net: the order found, the file order's
# peak next to it, the proof; the per-layer table runs in the new order.
$MEMPLAN analyze nets/darts-v2-c16-l8-cifar.json --order best --no-patch --no-db \
    | grep -E '^(per-layer peak|operator order|per-layer arena|TFLM)'
$MEMPLAN analyze nets/darts-v2-c16-l8-cifar.json --order best --no-patch --no-db --json \
    | grep -E '"order"|"order_search"'
# the file order, for comparison
$MEMPLAN analyze nets/darts-v2-c16-l8-cifar.json --no-patch --no-db | grep -E '^per-layer peak'
