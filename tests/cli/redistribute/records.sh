# redistribute records its run, the original's schedule and every variant in $MEMPLAN_DB;
# report --run lists the variants
$MEMPLAN redistribute nets/mcunet-like-r160.json >/dev/null || exit 1
sqlite3 "$MEMPLAN_DB" "select command from runs; select role, mode, split, grid_rows, grid_cols, kernels, scratch_bytes, total_bytes from schedules; select split, grid_rows, grid_cols, cuts, halo, n_variants from redistributions; select idx, variant, peak_bytes, pareto, changes from redistribution_variants order by idx"
$MEMPLAN report --run 1 | grep -v "^memplan [0-9]"
