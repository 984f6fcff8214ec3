# a network that cannot be read is reported; the others are swept and recorded; exit 1
$MEMPLAN sweep nets/mobilenetv1-w0.25-r96-gray.json tests/data/bad/cycle.json --budgets 64K
rc=$?
sqlite3 "$MEMPLAN_DB" "select count(*) from sweep_results; select n_networks from sweeps"
exit $rc
