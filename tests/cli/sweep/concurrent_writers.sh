# Two sweeps writing one database at once both succeed: the second waits (busy timeout)
# while the first holds its transaction.
db="$SCRATCH/c.db"
nets="nets/mobilenetv1-w0.25-r96-gray.json nets/mobilenetv2-w0.35-r144.json"
MEMPLAN_TEST_COMMIT_DELAY_MS=3000 $MEMPLAN sweep $nets --budgets 64K --db "$db" \
  >"$SCRATCH/out1" 2>"$SCRATCH/err1" &
p1=$!
for _ in $(seq 600); do grep -qs "holding the transaction" "$SCRATCH/err1" && break; sleep 0.1; done
$MEMPLAN sweep $nets --budgets 128K,256K --db "$db" >"$SCRATCH/out2" 2>"$SCRATCH/err2" &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
echo "first: exit $r1, second: exit $r2"
cat "$SCRATCH/err2"
# the second started while the first held the write lock, and committed after it
sqlite3 "$db" "select 'second started before the first committed', (select started_at from runs where id = 2)
    < (select finished_at from runs where id = 1);
  select id, command, finished_at is not null from runs order by id;
  select run_id, count(*) from sweep_results group by run_id order by run_id"
