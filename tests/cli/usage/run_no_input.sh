$MEMPLAN run tests/data/exec/tiny.json
