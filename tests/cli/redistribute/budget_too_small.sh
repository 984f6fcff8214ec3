# nothing fits: the lowest-peak schedule is used and the exit code is 1
$MEMPLAN redistribute tests/data/redistribute/blocks.json --budget 500
