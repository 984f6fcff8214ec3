# --jobs 3 prints and records exactly what --jobs 1 does
nets="nets/mobilenetv2-w1.0-r224.json nets/mobilenetv1-w0.25-r96-gray.json nets/mobilenetv2-w0.35-r144.json nets/mobilenetv1-w0.25-r96-gray.json"
$MEMPLAN sweep $nets --mcus all --db "$SCRATCH/one.db" >"$SCRATCH/one.txt" || exit 1
$MEMPLAN sweep $nets --mcus all --db "$SCRATCH/three.db" --jobs 3 >"$SCRATCH/three.txt" || exit 1
cmp "$SCRATCH/one.txt" "$SCRATCH/three.txt" && echo "same matrix"
q="select x.network_idx, x.target_idx, x.path, n.hash, x.fits, x.sram_fits, x.flash_fits, x.missing_bytes,
     x.flash_missing_bytes, s.mode, s.split, s.grid_rows, s.grid_cols, s.cuts, s.halo, s.peak_bytes,
     s.arena_bytes, s.macs, s.overhead, s.schedule_json,
     (select group_concat(step || ':' || op || ':' || live_bytes || ':' || macs) from schedule_steps where schedule_id = s.id)
   from sweep_results x join networks n on n.id = x.network_id join schedules s on s.id = x.schedule_id
   order by x.network_idx, x.target_idx"
sqlite3 "$SCRATCH/one.db" "$q" >"$SCRATCH/one.rows"
sqlite3 "$SCRATCH/three.db" "$q" >"$SCRATCH/three.rows"
cmp "$SCRATCH/one.rows" "$SCRATCH/three.rows" && echo "same rows: $(wc -l <"$SCRATCH/one.rows")"
