# a database at schema version 1 is migrated when opened: rows kept, schema as a new one's
cd "$SCRATCH" || exit 1
sqlite3 old.db <"$ROOT/tests/data/store/schema-v1.sql" || exit 1
sqlite3 old.db "pragma user_version"
$MEMPLAN report --db old.db --run 1 || exit 1
sqlite3 old.db "pragma user_version; select count(*) from runs where length(uuid) = 32"
$MEMPLAN report --db old.db --network mobilenetv2-w0.35-r144 --format csv
$MEMPLAN analyze "$ROOT/nets/mobilenetv1-w0.25-r96-gray.json" --db new.db >/dev/null || exit 1
sqlite3 old.db .schema >old.schema
sqlite3 new.db .schema >new.schema
cmp old.schema new.schema && echo "same schema as a new database"
# the migrated database takes new runs
(cd "$ROOT" && $MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json --no-patch --db "$SCRATCH/old.db" >/dev/null) || exit 1
sqlite3 old.db "select id, command, memplan_version from runs order by id; select id, name, params, weight_bytes from networks order by id"
