$MEMPLAN mcus --bogus
