# an SQLite database that is not memplan's: analyze prints its report but does not record
cd "$SCRATCH" || exit 1
sqlite3 other.db "create table photos(id integer primary key, name text)"
$MEMPLAN analyze "$ROOT/nets/mobilenetv1-w0.25-r96-gray.json" --no-patch --db other.db >/dev/null
