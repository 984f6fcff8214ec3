# report only reads (issue 18): a 0-byte file stays 0 bytes, a current database is left in
# its journal mode, a database nobody may write is read (as another user when run as root).
cd "$SCRATCH" || exit 1
: >empty.db
$MEMPLAN report --db empty.db; echo "empty: exit $?"
stat -c '%s bytes' empty.db
$MEMPLAN analyze "$ROOT/nets/mobilenetv1-w0.25-r96-gray.json" --no-patch --db m.db >/dev/null
sqlite3 m.db "pragma journal_mode = delete" >/dev/null
$MEMPLAN report --db m.db --format csv | cut -d, -f1-2
sqlite3 m.db "pragma journal_mode"
sqlite3 m.db "pragma journal_mode = wal" >/dev/null
mkdir ro && cp m.db ro/ && chmod 444 ro/m.db && chmod 555 ro && chmod 755 "$SCRATCH"
if [ "$(id -u)" = 0 ]; then
  as="setpriv --reuid=65534 --regid=65534 --clear-groups"
  $as true 2>/dev/null || as="" # no setpriv: read as root (the file is then writable)
else
  as=""
fi
$as $MEMPLAN report --db ro/m.db --format csv | cut -d, -f1-2; echo "read-only: exit ${PIPESTATUS[0]}"
ls ro
