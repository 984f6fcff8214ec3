# per-layer execution fits the budget: nothing to redistribute
$MEMPLAN redistribute tests/data/redistribute/blocks.json --budget 64K
