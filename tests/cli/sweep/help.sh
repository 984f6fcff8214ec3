$MEMPLAN sweep --help
