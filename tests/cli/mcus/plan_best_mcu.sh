# --best with --mcu: the cheapest schedule under the nRF52840's 256 KiB
$MEMPLAN plan nets/mobilenetv2-w0.35-r144.json --best --mcu nRF52840 --summary --no-db >"$SCRATCH/out"
rc=$?
head -5 "$SCRATCH/out"
exit $rc
