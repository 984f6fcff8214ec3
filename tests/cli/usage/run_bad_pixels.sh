$MEMPLAN run tests/data/exec/tiny.json --input tests/data/exec/tiny.ppm --pixels gray
