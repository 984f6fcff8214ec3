# the bundled networks over every built-in MCU: SRAM and flash
$MEMPLAN sweep nets/*.json --mcus all
