$MEMPLAN run tests/data/exec/tiny.json --input does/not/exist.bin
