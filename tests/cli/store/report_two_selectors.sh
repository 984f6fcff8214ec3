$MEMPLAN report --run 1 --sweep 1
