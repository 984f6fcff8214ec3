# A chain (MobileNetV2) has one order: --order best keeps it, proven at once.
$MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json --order best --no-patch --no-db \
    | grep -E '^operator order'
