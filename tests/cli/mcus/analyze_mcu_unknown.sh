$MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json --mcu Z80 --no-db
