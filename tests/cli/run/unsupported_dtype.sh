cd "$SCRATCH"
printf '{"format":"memplan-net","version":1,"input":{"shape":[2,2,1]},"layers":[{"name":"c","op":"conv2d","filters":1,"kernel":1,"dtype":"float32"}]}' >f.json
$MEMPLAN run f.json --input "$ROOT/tests/data/exec/tiny.bin"
