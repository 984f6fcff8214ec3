# the sweep fills the database: runs, sweeps, targets, networks, schedules, steps, results
$MEMPLAN sweep nets/*.json --budgets 64K,256K >/dev/null || exit 1
sqlite3 "$MEMPLAN_DB" "select 'runs', count(*) from runs where command = 'sweep' and finished_at is not null;
  select 'sweeps', n_networks, n_targets from sweeps;
  select 'targets', group_concat(label || '=' || sram_bytes, ' ') from sweep_targets;
  select 'networks', count(*) from networks;
  select 'schedules', role, mode, count(*) from schedules group by role, mode;
  select 'steps', count(*) = (select sum(n.ops) from schedules s join networks n on n.id = s.network_id) from schedule_steps;
  select 'results', n.name, t.label, x.fits, s.mode, s.grid_rows, s.grid_cols, s.halo, s.peak_bytes, x.missing_bytes
    from sweep_results x join networks n on n.id = x.network_id join schedules s on s.id = x.schedule_id
    join sweep_targets t on t.sweep_id = x.sweep_id and t.idx = x.target_idx order by x.network_idx, x.target_idx;"
