cd "$SCRATCH" || exit 1
for i in $(seq 20); do echo "not a database"; done >notes.db
$MEMPLAN merge notes.db -o out.db
