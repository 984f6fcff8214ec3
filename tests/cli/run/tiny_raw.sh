# seeded weights, raw int8 input bytes
$MEMPLAN run tests/data/exec/tiny.json --input tests/data/exec/tiny.bin --top 3
