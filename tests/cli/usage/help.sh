$MEMPLAN --help
