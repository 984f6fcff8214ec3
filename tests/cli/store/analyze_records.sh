# analyze records the network, the per-layer schedule and the best patch schedule, with steps
$MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json --inplace-dw --input stream >/dev/null || exit 1
sqlite3 "$MEMPLAN_DB" "select id, command, command_line, memplan_version, finished_at >= started_at from runs;
  select hash, name, source, ops, macs, params, weight_bytes from networks;
  select id, role, mode, split, split_step, grid_rows, grid_cols, cuts, halo, input, inplace_dw, inplace_ops,
    align, peak_bytes, arena_bytes, macs, round(overhead, 6), length(schedule_json) > 1000 from schedules;
  select schedule_id, count(*), max(live_bytes), sum(macs) from schedule_steps group by schedule_id;
  select * from schedule_steps where schedule_id = 2 and step < 4;"
