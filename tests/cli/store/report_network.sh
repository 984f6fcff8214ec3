$MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json >/dev/null || exit 1
$MEMPLAN sweep nets/mobilenetv2-w0.35-r144.json --budgets 64K,400K >/dev/null || exit 1
$MEMPLAN report --network mobilenetv2-w0.35-r144
$MEMPLAN report --network mobilenetv2-w0.35-r144 --format csv
