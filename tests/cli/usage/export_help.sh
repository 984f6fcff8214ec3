$MEMPLAN export --help
