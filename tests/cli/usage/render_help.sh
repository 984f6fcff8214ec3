$MEMPLAN render --help
