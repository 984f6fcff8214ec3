# A network whose MACs come near 2^64 (once a "patch search: overflow" error): the
# splits whose bounds cannot go below per-layer are skipped, so the answer is per-layer.
$MEMPLAN analyze tests/data/limits/macs_near_overflow.json | tail -2
