$MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json --mcu RP2040 --catalog tests/data/catalogs/duplicate.json --no-db
