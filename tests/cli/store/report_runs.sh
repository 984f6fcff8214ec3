# the latest runs, newest first (timestamps masked)
$MEMPLAN analyze nets/mobilenetv1-w0.25-r96-gray.json >/dev/null || exit 1
$MEMPLAN plan nets/mobilenetv1-w0.25-r96-gray.json >/dev/null || exit 1
$MEMPLAN sweep nets/mobilenetv1-w0.25-r96-gray.json 'nets/mobilenetv2-w0.35-r144.json' --budgets 64K,128K >/dev/null || exit 1
$MEMPLAN report | sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z/YYYY-MM-DDTHH:MM:SS.mmmZ/'
$MEMPLAN report --limit 1 --format csv | cut -d, -f1,2,4,5,6
