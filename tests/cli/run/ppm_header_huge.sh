# Issue 18: a 20-byte PPM header claiming 65536 x 65536 x 3 pixels is refused on the
# file's size before any pixel memory is taken (it once allocated 12.9 GB first).
printf 'P6\n65536 65536\n255\nxx' >"$SCRATCH/huge.ppm"
$MEMPLAN run nets/mobilenetv1-w0.25-r96-gray.json --input "$SCRATCH/huge.ppm" 2>&1 |
  sed "s|$SCRATCH/||"
