# a part of the user's catalog replaces the built-in STM32F746 (300 KiB): per-layer no longer fits
$MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json --mcu STM32F746 --catalog tests/data/catalogs/good.json --no-db --json | grep '"budget"'
