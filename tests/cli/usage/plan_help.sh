$MEMPLAN plan --help
