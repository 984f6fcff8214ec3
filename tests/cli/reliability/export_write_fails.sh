# Crash-safe output: `memplan export` writes the C header and source through a
# temporary file each; a failed write leaves no partial header and no
# temporary file.
$MEMPLAN plan nets/mobilenetv2-w0.35-r144.json --no-db -o "$SCRATCH/s.json" >/dev/null 2>&1 || exit 3
mkdir "$SCRATCH/out"
trap '' XFSZ
(ulimit -f 1; $MEMPLAN export nets/mobilenetv2-w0.35-r144.json --schedule "$SCRATCH/s.json" \
  --prefix mbv2 -o "$SCRATCH/out") 2>&1 | sed "s|$SCRATCH|SCRATCH|"
echo "exit ${PIPESTATUS[0]}"
ls -A "$SCRATCH/out" | wc -l
