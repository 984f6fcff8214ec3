# an input at an older schema version is refused (merge only reads its inputs)
cd "$SCRATCH" || exit 1
sqlite3 old.db <"$ROOT/tests/data/store/schema-v1.sql" || exit 1
$MEMPLAN merge old.db -o out.db
rc=$?
ls
exit $rc
