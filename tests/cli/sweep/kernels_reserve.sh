# --kernels cmsis-nn counts each op's scratch and --reserve the stack/runtime headroom in
# what fits: the per-layer MCUNet-like net (256,000 B, + 3,136 B scratch, + 8 KiB) no
# longer fits 256K and takes a patch schedule; the database keeps the figures
$MEMPLAN sweep nets/mcunet-like-r160.json --budgets 256K,320K --no-db || exit 1
$MEMPLAN sweep nets/mcunet-like-r160.json --budgets 256K,320K --kernels cmsis-nn --reserve 8K || exit 1
$MEMPLAN sweep nets/mcunet-like-r160.json --budgets 256K --kernels cmsis-nn --reserve 8K --json --no-db | grep -o '"total_bytes": [0-9]*\|"scratch_bytes": [0-9]*\|"options": "[^"]*"'
sqlite3 "$MEMPLAN_DB" "select s.mode, s.kernels, s.peak_bytes, s.scratch_bytes, s.reserve_bytes, s.total_bytes, r.total_bytes, r.sram_fits from sweep_results r join schedules s on s.id = r.schedule_id order by r.target_idx"
