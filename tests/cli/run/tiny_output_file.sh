# --output writes the output tensor's raw bytes
$MEMPLAN run tests/data/exec/tiny.json --input tests/data/exec/tiny.bin --output "$SCRATCH/scores.bin" >/dev/null
od -An -td1 "$SCRATCH/scores.bin"
