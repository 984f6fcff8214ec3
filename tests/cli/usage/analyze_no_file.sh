$MEMPLAN analyze
