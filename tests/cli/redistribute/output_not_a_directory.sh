touch "$SCRATCH/f"
$MEMPLAN redistribute tests/data/redistribute/blocks.json --split s --patches 2x1 -o "$SCRATCH/f/v" \
    2>&1 | sed "s|$SCRATCH|SCRATCH|"
exit "${PIPESTATUS[0]}"
