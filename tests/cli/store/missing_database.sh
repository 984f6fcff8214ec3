# report does not create a database
cd "$SCRATCH" || exit 1
$MEMPLAN report --db nothing.db
rc=$?
ls
exit $rc
