# malformed catalog: the message names the file, the JSON path and the problem
$MEMPLAN mcus --catalog tests/data/catalogs/unknown_field.json
