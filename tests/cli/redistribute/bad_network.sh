$MEMPLAN redistribute tests/data/bad/repeat_nested.json
