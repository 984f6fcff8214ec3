cd "$SCRATCH" || exit 1
$MEMPLAN merge nothing.db -o out.db
rc=$?
ls
exit $rc
