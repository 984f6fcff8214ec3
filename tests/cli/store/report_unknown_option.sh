$MEMPLAN report --bogus
