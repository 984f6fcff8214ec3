# without --db and $MEMPLAN_DB: reports/memplan.db, the directory created
cd "$SCRATCH" || exit 1
env -u MEMPLAN_DB $MEMPLAN analyze "$ROOT/nets/mobilenetv1-w0.25-r96-gray.json" --no-patch >/dev/null || exit 1
ls reports
env -u MEMPLAN_DB $MEMPLAN report --format csv | cut -d, -f1,2
