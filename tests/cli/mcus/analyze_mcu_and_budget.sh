$MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json --mcu RP2040 --budget 256K --no-db
