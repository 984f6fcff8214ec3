# three shards merged equal one unsharded sweep: the report and every result row
nets="nets/mobilenetv2-w1.0-r224.json nets/mobilenetv1-w0.25-r96-gray.json nets/mobilenetv2-w0.35-r144.json nets/mobilenetv1-w0.25-r96-gray.json"
$MEMPLAN sweep $nets --budgets 96K,192K,384K --db "$SCRATCH/all.db" >"$SCRATCH/all.txt" || exit 1
for i in 1 2 3; do
  $MEMPLAN sweep $nets --budgets 96K,192K,384K --shard $i/3 --db "$SCRATCH/s$i.db" >/dev/null || exit 1
done
$MEMPLAN merge "$SCRATCH/s1.db" "$SCRATCH/s2.db" "$SCRATCH/s3.db" -o "$SCRATCH/merged.db" | sed "s|$SCRATCH/||g"
# merging the same shards again adds nothing
$MEMPLAN merge "$SCRATCH/s2.db" "$SCRATCH/s1.db" -o "$SCRATCH/merged.db" | sed "s|$SCRATCH/||g"
$MEMPLAN report --db "$SCRATCH/merged.db" --sweep 1 >"$SCRATCH/merged.txt" || exit 1
cmp "$SCRATCH/all.txt" "$SCRATCH/merged.txt" && echo "same matrix"
q="select x.network_idx, x.target_idx, x.path, n.hash, x.fits, x.sram_fits, x.flash_fits, x.missing_bytes,
     s.mode, s.split, s.grid_rows, s.grid_cols, s.cuts, s.halo, s.peak_bytes, s.arena_bytes, s.macs, s.schedule_json,
     (select group_concat(step || ':' || live_bytes || ':' || macs) from schedule_steps where schedule_id = s.id)
   from sweep_results x join networks n on n.id = x.network_id join schedules s on s.id = x.schedule_id
   order by x.network_idx, x.target_idx"
sqlite3 "$SCRATCH/all.db" "$q" >"$SCRATCH/all.rows"
sqlite3 "$SCRATCH/merged.db" "$q" >"$SCRATCH/merged.rows"
cmp "$SCRATCH/all.rows" "$SCRATCH/merged.rows" && echo "same rows: $(wc -l <"$SCRATCH/all.rows")"
sqlite3 "$SCRATCH/merged.db" "select count(*) from runs; select count(*) from sweeps; select count(*) from networks"
