# Kernels of 1031 shrink in 1,028 steps: more than the limit of 1,024 is refused, and
# --max-shrink takes the first steps (a fuzz finding: 32,765 steps took 5 s, 28 s instrumented)
$MEMPLAN redistribute tests/data/redistribute/kernels_1031.json --split c1 --patches 2x2
echo "exit $?"
$MEMPLAN redistribute tests/data/redistribute/kernels_1031.json --split c1 --patches 2x2 \
    --max-shrink 4 | sed -n 4p
