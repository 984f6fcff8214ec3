$MEMPLAN redistribute tests/data/redistribute/blocks.json --split s --patches 2x1 --min-kernel 1
