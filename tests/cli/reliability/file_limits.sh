# Input files larger than the limits are refused before they are read (sparse
# files: nothing is written to disk): networks 256 MiB, schedules 64 MiB, MCU
# catalogs 1 MiB.
truncate -s 257M "$SCRATCH/big.json"
truncate -s 65M "$SCRATCH/big-schedule.json"
truncate -s 1025K "$SCRATCH/big-catalog.json"
$MEMPLAN analyze --no-db "$SCRATCH/big.json" 2>&1 | sed "s|$SCRATCH|SCRATCH|"
echo "exit ${PIPESTATUS[0]}"
$MEMPLAN export tests/data/fuzz/net_fz.json --schedule "$SCRATCH/big-schedule.json" \
  -o "$SCRATCH" 2>&1 | sed "s|$SCRATCH|SCRATCH|"
echo "exit ${PIPESTATUS[0]}"
$MEMPLAN mcus --catalog "$SCRATCH/big-catalog.json" 2>&1 | sed "s|$SCRATCH|SCRATCH|"
echo "exit ${PIPESTATUS[0]}"
