$MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json >/dev/null || exit 1
$MEMPLAN plan nets/mobilenetv2-w0.35-r144.json --best --budget 128K >/dev/null || exit 1
$MEMPLAN report --run 1
$MEMPLAN report --run 2 --format markdown
$MEMPLAN report --run 2 --format json
