$MEMPLAN mcus --catalog tests/data/catalogs/good.json
