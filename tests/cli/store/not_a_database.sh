cd "$SCRATCH" || exit 1
for i in $(seq 20); do echo "this is a text file, not an SQLite database"; done >notes.db
$MEMPLAN report --db notes.db
