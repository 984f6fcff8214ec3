$MEMPLAN mcus --json
