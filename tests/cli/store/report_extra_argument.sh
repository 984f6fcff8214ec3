$MEMPLAN report runs
