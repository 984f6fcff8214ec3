# plan --kernels cmsis-nn --reserve: the search meets the budget with peak + scratch +
# reserve, the summary has a scratch line, the schedule file names its kernels and scratch
# and reading it back keeps them; an unknown kernel library in a file is refused
$MEMPLAN plan nets/mcunet-like-r160.json --best --kernels cmsis-nn --budget 256K --reserve 8K \
    -o "$SCRATCH/s.json" --no-db --summary 2>/dev/null | sed -n '/^peak/,/^scratch/p'
grep '"kernels"\|"scratch_bytes"' "$SCRATCH/s.json"
$MEMPLAN plan nets/mcunet-like-r160.json --schedule "$SCRATCH/s.json" --no-db --summary | grep '^scratch'
sed 's/"cmsis-nn"/"cmsis"/' "$SCRATCH/s.json" >"$SCRATCH/bad.json"
$MEMPLAN plan nets/mcunet-like-r160.json --schedule "$SCRATCH/bad.json" --no-db 2>&1 |
    sed "s|$SCRATCH|SCRATCH|"
