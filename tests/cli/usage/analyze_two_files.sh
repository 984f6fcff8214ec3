$MEMPLAN analyze a.json b.json
