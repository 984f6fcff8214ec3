# A run without a uuid (written by another tool) is merged once, not on every merge, and
# the counts say so (issue 18). -o naming a directory, or an input that is the output, is
# refused with its reason.
cd "$SCRATCH" || exit 1
net="$ROOT/nets/mobilenetv1-w0.25-r96-gray.json"
$MEMPLAN analyze "$net" --no-patch --db a.db >/dev/null
$MEMPLAN sweep "$net" --budgets 64K,128K --db a.db >/dev/null
sqlite3 a.db "update runs set uuid = null where id = 1"
$MEMPLAN merge -o out.db a.db | sed "s|$SCRATCH|SCRATCH|"
$MEMPLAN merge -o out.db a.db | sed "s|$SCRATCH|SCRATCH|"
$MEMPLAN merge -o out.db a.db a.db | sed "s|$SCRATCH|SCRATCH|"
sqlite3 out.db "select count(*), count(uuid) from runs; select count(*) from schedules;
  select count(*) from sweep_results; pragma integrity_check"
mkdir dir
$MEMPLAN merge -o dir a.db; echo "directory: exit $?"
$MEMPLAN merge -o out.db a.db out.db; echo "output as input: exit $?"
ls
