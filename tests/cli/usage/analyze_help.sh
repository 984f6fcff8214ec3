$MEMPLAN analyze --help
