$MEMPLAN convert --help
