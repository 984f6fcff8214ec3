$MEMPLAN analyze --align
