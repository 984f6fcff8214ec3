# the cheapest schedule under 1K, and whether each variant fits it
$MEMPLAN redistribute tests/data/redistribute/blocks.json --budget 1K --min-kernel 1
