# a variant runs bit-exact under its patch schedule (seeded weights)
$MEMPLAN redistribute nets/mcunet-like-r160.json --inplace-dw --max-macs 4x -o "$SCRATCH/v" >/dev/null 2>&1 || exit 1
$MEMPLAN validate "$SCRATCH/v/mcunet-like-r160-m1k5.json" --split s2_0_project --patches 6x6 \
    --cuts balanced --inplace-dw | tail -1
