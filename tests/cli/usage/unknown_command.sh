$MEMPLAN frobnicate
