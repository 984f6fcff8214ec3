# SRAM fits (per-layer) but the weights do not fit the 1 MiB flash: exit 1
$MEMPLAN analyze nets/mobilenetv2-w0.35-r144.json --mcu STM32F746 --no-db | tail -4
exit ${PIPESTATUS[0]}
