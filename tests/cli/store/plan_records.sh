# plan records its schedule; the stored JSON is what plan -o writes
$MEMPLAN plan nets/mobilenetv2-w0.35-r144.json --split b4_project --patches 3x3 --halo cache \
  -o "$SCRATCH/s.json" >/dev/null 2>&1 || exit 1
sqlite3 "$MEMPLAN_DB" "select role, mode, split, grid_rows || 'x' || grid_cols, halo, peak_bytes, arena_bytes,
  schedule_json = cast(readfile('$SCRATCH/s.json') as text) from schedules"
