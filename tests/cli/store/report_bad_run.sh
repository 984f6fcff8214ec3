$MEMPLAN report --run 0
