# --mcu sets the budget to the part's SRAM; the weights (1.6 MiB) fit the RP2040 board's 2 MiB flash
$MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json --mcu rp2040 --no-db | tail -6
