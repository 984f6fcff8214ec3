$MEMPLAN run tests/data/exec/tiny.json --input tests/data/exec/tiny.ppm --json --top 2 --seed 7
