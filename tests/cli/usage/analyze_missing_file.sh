$MEMPLAN analyze does/not/exist.json
