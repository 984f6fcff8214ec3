# raw: every byte taken as int8 (TFLite Micro's person-detection mapping)
$MEMPLAN run tests/data/exec/tiny.json --input tests/data/exec/tiny.ppm --pixels raw --top 1
