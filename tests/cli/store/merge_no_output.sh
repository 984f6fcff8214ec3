$MEMPLAN merge a.db
