# MobileNetV2 has only 3x3 kernels: they shrink to 1x1 with --min-kernel 1
$MEMPLAN redistribute nets/mobilenetv2-w1.0-r224.json --inplace-dw --halo recompute --min-kernel 1
