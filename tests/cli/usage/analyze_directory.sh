$MEMPLAN analyze nets
