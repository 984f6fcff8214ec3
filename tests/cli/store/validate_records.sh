# validate records the network, the schedule it ran and the result: bit-exact, and a
# schedule with two live buffers moved onto one offset (a mismatch, exit 1) with its detail
$MEMPLAN validate nets/mobilenetv2-w0.35-r144.json --split b6_add --patches 4x4 --halo cache \
    --inplace-dw --input stream >/dev/null || exit 3
$MEMPLAN plan nets/mobilenetv2-w0.35-r144.json --split b6_add --patches 4x4 --halo cache \
    --inplace-dw --input stream --no-db -o "$SCRATCH/s.json" >/dev/null 2>&1 || exit 3
off=$(grep -o '"kind": "region", "tensor": "input"[^}]*"offset": [0-9]*' "$SCRATCH/s.json" | grep -o '[0-9]*$')
sed -i "s/\(\"kind\": \"region\", \"tensor\": \"conv1\"[^}]*\"offset\": \)[0-9]*/\1$off/" "$SCRATCH/s.json"
$MEMPLAN validate nets/mobilenetv2-w0.35-r144.json --schedule "$SCRATCH/s.json" >/dev/null 2>&1
echo "exit $?"
$MEMPLAN validate nets/mobilenetv2-w0.35-r144.json --no-db >/dev/null || exit 3
sqlite3 "$MEMPLAN_DB" "select id, command from runs;
  select s.run_id, s.role, s.mode, s.split, s.grid_rows, s.grid_cols, s.halo, s.arena_bytes,
    v.bit_exact, v.bytes_compared, v.mismatched_bytes, v.arena_bytes, v.detail
    from validations v join schedules s on s.id = v.schedule_id order by v.id;"
