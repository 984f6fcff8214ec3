# a catalog that is not there
$MEMPLAN mcus --catalog tests/data/catalogs/nothing.json
