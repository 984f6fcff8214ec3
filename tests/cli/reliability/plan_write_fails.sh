# Crash-safe output: a schedule write that fails half way (the file size limit,
# as a full disk would) leaves the previous schedule as it was and no
# temporary file behind.
echo '{"previous": "schedule"}' >"$SCRATCH/s.json"
trap '' XFSZ
(ulimit -f 1; $MEMPLAN plan nets/mobilenetv2-w0.35-r144.json --no-db -o "$SCRATCH/s.json") \
  2>&1 >/dev/null | sed "s|$SCRATCH|SCRATCH|"
echo "exit ${PIPESTATUS[0]}"
cat "$SCRATCH/s.json"
find "$SCRATCH" -name '*.tmp.*' | wc -l
