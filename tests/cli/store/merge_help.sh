$MEMPLAN merge --help
