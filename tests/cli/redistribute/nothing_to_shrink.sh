# 3x3 kernels and no repeat groups: no variant down to the default 3
$MEMPLAN redistribute nets/mobilenetv2-w1.0-r224.json --inplace-dw
