# a database from a newer memplan is refused, not changed
cd "$SCRATCH" || exit 1
sqlite3 new.db "create table runs(id integer primary key); pragma user_version = 9"
$MEMPLAN report --db new.db
rc=$?
sqlite3 new.db "pragma user_version"
exit $rc
