# --best --halo recompute: MCUNetV2's own scheme only; the list form too.
$MEMPLAN plan nets/mobilenetv2-w0.35-r144.json --best --halo recompute --summary | sed -n 1,8p
$MEMPLAN plan nets/mobilenetv2-w0.35-r144.json --best --halo recompute,cache-cols --summary | sed -n 8p
