$MEMPLAN analyze nets/mobilenetv1-w0.25-r96-gray.json --no-db >/dev/null || exit 1
$MEMPLAN plan nets/mobilenetv1-w0.25-r96-gray.json --no-db >/dev/null || exit 1
test -e "$MEMPLAN_DB" && echo "database written" || echo "no database"
