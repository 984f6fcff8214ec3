cd "$SCRATCH" && head -c 47 "$ROOT/tests/data/exec/tiny.bin" >short.bin
$MEMPLAN run "$ROOT/tests/data/exec/tiny.json" --input short.bin
