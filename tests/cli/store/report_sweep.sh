# report --sweep prints what the sweep printed; csv, json and markdown of the same matrix
$MEMPLAN sweep nets/*.json --mcus STM32F746,RP2040,STM32H743 >"$SCRATCH/sweep.txt" || exit 1
$MEMPLAN report --sweep 1 >"$SCRATCH/report.txt" || exit 1
cmp "$SCRATCH/sweep.txt" "$SCRATCH/report.txt" && echo "report --sweep 1 = sweep output"
$MEMPLAN report --sweep 1 --format csv
$MEMPLAN report --sweep 1 --format markdown
$MEMPLAN report --sweep 1 --format json
$MEMPLAN report --run 1 --format csv
