# Schedules in the best order run bit-exact: the recommended one (the patch
# search's best, run in the best order) planned here, per-layer, and a saved
# schedule file, which keeps its order.
$MEMPLAN validate nets/darts-v2-c16-l8-cifar.json --order best | grep -E '^(arena|bit-exact)'
$MEMPLAN validate nets/darts-v2-c16-l8-cifar.json --order best --split stem --patches 1x1 \
    | grep -E '^(arena|bit-exact)'
$MEMPLAN plan nets/darts-v2-c16-l8-cifar.json --order best --best --no-db -o "$SCRATCH/s.json" \
    >/dev/null 2>&1 || exit 3
$MEMPLAN validate nets/darts-v2-c16-l8-cifar.json --schedule "$SCRATCH/s.json" | grep -E '^bit-exact'
