$MEMPLAN run tests/data/exec/tiny.json --input tests/data/exec/tiny.bin --top 0
