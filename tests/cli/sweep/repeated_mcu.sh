$MEMPLAN sweep nets/mobilenetv1-w0.25-r96-gray.json --mcus rp2040,RP2040
