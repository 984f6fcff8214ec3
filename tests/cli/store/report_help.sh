$MEMPLAN report --help
