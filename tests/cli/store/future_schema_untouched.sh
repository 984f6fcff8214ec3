# A database of a newer memplan (user_version 9, rollback journal) is refused by every
# command before anything is written: its journal mode and bytes stay (issue 18).
cd "$SCRATCH" || exit 1
cp "$ROOT/tests/data/reliability/db_future_schema_v9.db" f.db
sum0=$(cksum <f.db)
$MEMPLAN report --db f.db; echo "report: exit $?"
$MEMPLAN analyze "$ROOT/nets/mobilenetv1-w0.25-r96-gray.json" --no-patch --db f.db >/dev/null
echo "analyze: exit $?"
cp f.db g.db
$MEMPLAN analyze "$ROOT/nets/mobilenetv1-w0.25-r96-gray.json" --no-patch --db cur.db >/dev/null
$MEMPLAN merge -o f.db cur.db >/dev/null; echo "merge into: exit $?"
$MEMPLAN merge -o new.db g.db >/dev/null; echo "merge from: exit $?"
sqlite3 f.db "pragma journal_mode; pragma user_version"
[ "$sum0" = "$(cksum <f.db)" ] && echo "unchanged"
ls
cmp f.db g.db && echo "the input is unchanged too"
