$MEMPLAN run --help
