$MEMPLAN mcus
