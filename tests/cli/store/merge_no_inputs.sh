$MEMPLAN merge -o out.db
