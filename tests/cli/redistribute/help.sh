$MEMPLAN redistribute --help
