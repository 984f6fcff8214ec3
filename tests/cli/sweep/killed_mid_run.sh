# A sweep killed (SIGKILL) while it holds its transaction, and others killed while they
# compute, leave a consistent database: the complete runs and nothing of the killed ones.
db="$SCRATCH/k.db"
nets="nets/mobilenetv1-w0.25-r96-gray.json nets/mobilenetv2-w0.35-r144.json nets/mobilenetv2-w1.0-r224.json"
check() {
  sqlite3 "$db" "pragma integrity_check;
    select 'runs', count(*), count(finished_at) from runs;
    select 'incomplete runs', count(*) from runs r where (select count(*) from sweep_results x where x.run_id = r.id)
      != (select s.n_targets * (select count(distinct network_idx) from sweep_results y where y.run_id = r.id)
          from sweeps s join sweep_results z on z.sweep_id = s.id where z.run_id = r.id limit 1);
    select 'orphans', (select count(*) from schedules where run_id not in (select id from runs))
      + (select count(*) from schedule_steps where schedule_id not in (select id from schedules))
      + (select count(*) from sweep_results where schedule_id not in (select id from schedules));"
}
$MEMPLAN sweep $nets --budgets 64K,256K --db "$db" >/dev/null || exit 1
# 1. killed with its transaction open, just before COMMIT
MEMPLAN_TEST_COMMIT_DELAY_MS=60000 $MEMPLAN sweep $nets --budgets 96K,128K,512K --db "$db" \
  >/dev/null 2>"$SCRATCH/err" &
pid=$!
for _ in $(seq 600); do grep -qs "holding the transaction" "$SCRATCH/err" && break; sleep 0.1; done
grep -o "holding the transaction" "$SCRATCH/err" || exit 1
# (bash reports the killed job on its own standard error: the braces silence it)
{ kill -KILL $pid; wait $pid; } 2>/dev/null
echo "killed: exit $?"
check
# 2. killed at different moments of a longer sweep (mostly while computing)
for delay in 0.05 0.2 0.4; do
  $MEMPLAN sweep $nets $nets $nets --budgets 32K,48K --db "$db" >/dev/null 2>&1 &
  pid=$!
  sleep $delay
  { kill -KILL $pid; wait $pid; } 2>/dev/null
done
sqlite3 "$db" "delete from runs where 0" # the database still takes writes
check | sed 's/^runs|[0-9]*|[0-9]*$/runs|n|n/'
# 3. and the next run completes
$MEMPLAN sweep $nets --budgets 96K,128K,512K --db "$db" >/dev/null || exit 1
sqlite3 "$db" "select 'sweeps over 3 targets', count(*) from sweeps where n_targets = 3;
  select 'last run results', count(*) from sweep_results where run_id = (select max(id) from runs)"
