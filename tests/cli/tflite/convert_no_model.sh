$MEMPLAN convert
