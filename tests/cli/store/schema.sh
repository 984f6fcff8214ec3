# the tables of docs/database.md, schema version 2, WAL
$MEMPLAN analyze nets/mobilenetv1-w0.25-r96-gray.json >/dev/null || exit 1
sqlite3 "$MEMPLAN_DB" "pragma user_version; pragma journal_mode;"
sqlite3 "$MEMPLAN_DB" .schema
