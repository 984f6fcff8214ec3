$MEMPLAN --version
