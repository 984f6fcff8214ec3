$MEMPLAN mcus --help
