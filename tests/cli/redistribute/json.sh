$MEMPLAN redistribute tests/data/redistribute/blocks.json --split a_add.2 --patches 2x2 --cuts balanced --json
