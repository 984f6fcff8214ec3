$MEMPLAN validate --help
