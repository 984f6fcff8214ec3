# An MCU catalog with more than 1,024 parts is refused.
{
  printf '{"format": "memplan-mcus", "version": 1, "mcus": [\n'
  seq 1 1024 | sed 's/.*/{"name": "part&", "sram": "64K"},/'
  printf '{"name": "one-too-many", "sram": "64K"}]}\n'
} >"$SCRATCH/parts.json"
$MEMPLAN mcus --catalog "$SCRATCH/parts.json" 2>&1 | sed "s|$SCRATCH|SCRATCH|"
exit ${PIPESTATUS[0]}
